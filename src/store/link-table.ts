import { HashIndex, MAX_LOCATION } from './hash-index.js';
import {
  checkLinkRow,
  createRowBounds,
  createdAtOf,
  decodeLinkRow,
  encodeLinkRow,
  fieldsEqual,
  hashFields,
  hashValues,
  hasField,
  scanRow,
  type LinkFieldIndex,
  type LinkRow,
} from './link-row.js';
import { LINK_KEYS, checkNewLink, mergeLink, type LinkKey } from './link-keys.js';
import { isRecord } from './manifest.js';
import { parseSegmentName, segmentName, type ShardHost, type ShardTable } from './shard-table.js';
import { corruptShard } from './store-error.js';
import type { LinkStore, MessageLink, MessageLinkPatch, NewMessageLink } from './store.js';

const PREFIX = 'links';
const KEY_ENTRIES = Object.entries(LINK_KEYS) as [LinkKey, readonly LinkFieldIndex[]][];
const ID_PREFIX = 'link_';

interface KeyIndex {
  readonly fields: readonly LinkFieldIndex[];
  readonly index: HashIndex;
}

interface Segment {
  readonly no: number;
  /** Row `i` has location `no * perSegment + i`; pruned rows are null. */
  readonly rows: (LinkRow | null)[];
  /** First slot that may still hold a row (everything before it was pruned). */
  head: number;
}

export interface LinkTableOptions {
  readonly perSegment: number;
  readonly retentionMs: number;
  readonly maxLinks: number;
}

/**
 * Message links in time-ordered segments of `perSegment` rows (`links-000012`). A link's id is its row
 * number, which locates its segment; new links go to the last segment, so a commit rewrites one small
 * file, and retention drops the oldest rows and then whole segment files. Lookups from every side go
 * through compact hash indexes rebuilt at start-up.
 */
export class LinkTable implements LinkStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #options: LinkTableOptions;
  /** In ascending segment order (new segments are always the highest). */
  readonly #segments = new Map<number, Segment>();
  readonly #indexes = new Map<LinkKey, KeyIndex>();
  /** Scratch space for scanning one row at a time (the table is used from one thread). */
  readonly #bounds = createRowBounds();
  /** Separate scratch for re-hashing: an index grows in the middle of `#addKeys`, which holds `#bounds`. */
  readonly #rehashBounds = createRowBounds();
  /** Rows per key seen while loading, to size the indexes once. */
  readonly #loadedKeys = new Map<LinkKey, number>();
  #next = 0;
  #size = 0;

  constructor(host: ShardHost, options: LinkTableOptions) {
    this.#host = host;
    this.#options = options;
  }

  get size(): number {
    return this.#size;
  }

  create(link: NewMessageLink): MessageLink {
    this.#host.assertOpen();
    checkNewLink(link);
    const location = this.#next;
    if (location > MAX_LOCATION) throw new RangeError('The link store ran out of row numbers');
    const no = Math.floor(location / this.#options.perSegment);
    let segment = this.#segments.get(no);
    if (!segment) {
      segment = { no, rows: [], head: 0 };
      this.#segments.set(no, segment);
      this.#host.create(segmentName(PREFIX, no));
    }
    const row = encodeLinkRow({ ...link, createdAt: this.#host.now() });
    segment.rows.push(row);
    this.#next++;
    this.#size++;
    this.#addKeys(row, location);
    this.#host.touch(segmentName(PREFIX, no));
    return decodeLinkRow(linkId(location), row);
  }

  get(id: string): MessageLink | undefined {
    const location = parseLinkId(id);
    const row = location === undefined ? null : this.#rowAt(location);
    return row === null || location === undefined ? undefined : decodeLinkRow(id, row);
  }

  update(id: string, patch: MessageLinkPatch): MessageLink | undefined {
    this.#host.assertOpen();
    const location = parseLinkId(id);
    const row = location === undefined ? null : this.#rowAt(location);
    if (row === null || location === undefined) return undefined;
    const next = encodeLinkRow(mergeLink(decodeLinkRow(id, row), patch));
    if (next === row) return decodeLinkRow(id, row);
    const no = Math.floor(location / this.#options.perSegment);
    const segment = this.#segments.get(no);
    if (!segment) return undefined;
    this.#removeKeys(row, location);
    segment.rows[location - no * this.#options.perSegment] = next;
    this.#addKeys(next, location);
    this.#host.touch(segmentName(PREFIX, no));
    return decodeLinkRow(id, next);
  }

  findByIMessageId(messageId: string): MessageLink | undefined {
    return this.#find('imessageId', [messageId]);
  }

  findByGuid(guid: string): MessageLink | undefined {
    return this.#find('guid', [guid]);
  }

  findByOutboxId(outboxId: string): MessageLink | undefined {
    return this.#find('outboxId', [outboxId]);
  }

  findBySlack(channel: string, ts: string): MessageLink | undefined {
    return this.#find('slack', [channel, ts]);
  }

  findByDiscord(messageId: string): MessageLink | undefined {
    return this.#find('discord', [messageId]);
  }

  /** Drops links older than the retention and, oldest first, links beyond `maxLinks`; returns how many. */
  prune(now: number): number {
    const cutoff = now - this.#options.retentionMs;
    const last = this.#lastSegment();
    let removed = 0;
    for (const segment of this.#segments.values()) {
      const before = removed;
      while (segment.head < segment.rows.length) {
        const row = segment.rows[segment.head];
        if (row !== null && row !== undefined) {
          scanRow(row, this.#bounds);
          if (createdAtOf(row, this.#bounds) >= cutoff && this.#size <= this.#options.maxLinks) break;
          this.#removeKeys(row, segment.no * this.#options.perSegment + segment.head);
          segment.rows[segment.head] = null;
          this.#size--;
          removed++;
        }
        segment.head++;
      }
      const emptied = segment.head >= this.#options.perSegment;
      // The last segment stays even when empty: its row count is what keeps link ids from being reused.
      if (emptied && segment !== last) {
        this.#segments.delete(segment.no);
        this.#host.drop(segmentName(PREFIX, segment.no));
        continue;
      }
      if (removed > before) this.#host.touch(segmentName(PREFIX, segment.no));
      if (!emptied) break;
    }
    return removed;
  }

  initialize(): void {
    this.#createIndexes();
  }

  load(name: string, data: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a link segment name');
    if (!isRecord(data) || data.segment !== no || !Array.isArray(data.rows)) {
      throw corruptShard(file, 'expected { segment, rows: [...] }');
    }
    const rows = data.rows as unknown[];
    if (rows.length > this.#options.perSegment) throw corruptShard(file, 'more rows than a segment holds');
    let head = rows.length;
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i];
      if (row === null) continue;
      const problem = typeof row === 'string' ? checkLinkRow(row, this.#bounds) : 'not a string';
      if (problem) throw corruptShard(file, `row ${i}: ${problem}`);
      for (const [key, fields] of KEY_ENTRIES) {
        if (fields.every((field) => hasField(this.#bounds, field))) {
          this.#loadedKeys.set(key, (this.#loadedKeys.get(key) ?? 0) + 1);
        }
      }
      head = i;
    }
    this.#segments.set(no, { no, rows: rows as (LinkRow | null)[], head });
  }

  finishLoad(): void {
    const sorted = [...this.#segments.values()].sort((a, b) => a.no - b.no);
    this.#segments.clear();
    for (const segment of sorted) this.#segments.set(segment.no, segment);
    const last = sorted.at(-1);
    this.#next = last ? last.no * this.#options.perSegment + last.rows.length : 0;
    this.#createIndexes();
    for (const segment of sorted) {
      const base = segment.no * this.#options.perSegment;
      for (let i = segment.head; i < segment.rows.length; i++) {
        const row = segment.rows[i];
        if (row === null || row === undefined) continue;
        this.#addKeys(row, base + i);
        this.#size++;
      }
    }
    this.#loadedKeys.clear();
  }

  *shardNames(): Iterable<string> {
    for (const no of this.#segments.keys()) yield segmentName(PREFIX, no);
  }

  snapshot(name: string): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    return segment && { segment: segment.no, rows: segment.rows };
  }

  #find(key: LinkKey, values: readonly string[]): MessageLink | undefined {
    const entry = this.#indexes.get(key);
    const location = entry?.index.find(hashValues(values), (candidate) => {
      const row = this.#rowAt(candidate);
      return row !== null && scanRow(row, this.#bounds) > 0 && fieldsEqual(row, this.#bounds, entry.fields, values);
    });
    if (location === undefined) return undefined;
    const row = this.#rowAt(location);
    return row === null ? undefined : decodeLinkRow(linkId(location), row);
  }

  /** One index per lookup key, sized for the rows counted while loading. */
  #createIndexes(): void {
    for (const [key, fields] of KEY_ENTRIES) {
      const hashOf = (location: number): number => {
        const row = this.#rowAt(location) ?? '';
        scanRow(row, this.#rehashBounds);
        return hashFields(row, this.#rehashBounds, fields) ?? 0;
      };
      this.#indexes.set(key, { fields, index: new HashIndex(hashOf, this.#loadedKeys.get(key) ?? 0) });
    }
  }

  #addKeys(row: LinkRow, location: number): void {
    scanRow(row, this.#bounds);
    for (const { fields, index } of this.#indexes.values()) {
      const hash = hashFields(row, this.#bounds, fields);
      if (hash !== undefined) index.add(hash, location);
    }
  }

  #removeKeys(row: LinkRow, location: number): void {
    scanRow(row, this.#bounds);
    for (const { fields, index } of this.#indexes.values()) {
      const hash = hashFields(row, this.#bounds, fields);
      if (hash !== undefined) index.remove(hash, location);
    }
  }

  #rowAt(location: number): LinkRow | null {
    const no = Math.floor(location / this.#options.perSegment);
    return this.#segments.get(no)?.rows[location - no * this.#options.perSegment] ?? null;
  }

  #lastSegment(): Segment | undefined {
    let last: Segment | undefined;
    for (const segment of this.#segments.values()) last = segment;
    return last;
  }
}

function linkId(location: number): string {
  return `${ID_PREFIX}${location}`;
}

function parseLinkId(id: string): number | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined;
  const digits = id.slice(ID_PREFIX.length);
  return /^(0|[1-9]\d*)$/.test(digits) ? Number(digits) : undefined;
}
