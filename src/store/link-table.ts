import { MAX_LOCATION } from './hash-index.js';
import { LinkIndexes } from './link-index.js';
import { checkNewLink, mergeLink, type LinkKey } from './link-keys.js';
import {
  checkLinkRow,
  createRowBounds,
  createdAtOf,
  decodeLinkRow,
  encodeLinkRow,
  scanRow,
  type LinkRow,
} from './link-row.js';
import { LinkSegment } from './link-segment.js';
import { isRecord } from './manifest.js';
import { parseSegmentName, segmentName, type ShardHost, type ShardTable } from './shard-table.js';
import { corruptShard } from './store-error.js';
import type { LinkStore, MessageLink, MessageLinkPatch, NewMessageLink } from './store.js';

const PREFIX = 'links';
const ID_PREFIX = 'link_';

export interface LinkTableOptions {
  /** Rows per segment (from the manifest's layout). */
  readonly perSegment: number;
  /** Links older than this are pruned. */
  readonly retentionMs: number;
  /** Links beyond this many are pruned, oldest first. */
  readonly maxLinks: number;
}

/**
 * Message links in time-ordered segments of `perSegment` rows (`links-000012`). A link's id is its row
 * number, which locates its segment; new links go to the last segment, so a commit rewrites one small
 * file, and retention empties the oldest rows and then deletes whole segment files. Lookups from every
 * side go through compact hash indexes rebuilt from the rows after start-up (see {@link LinkIndexes}).
 */
export class LinkTable implements LinkStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #options: LinkTableOptions;
  /** In ascending order (new segments are always the highest). */
  readonly #segments = new Map<number, LinkSegment>();
  #indexes: LinkIndexes;
  /** Scratch for scanning one row at a time. */
  readonly #bounds = createRowBounds();
  /** Files of the segments being loaded, for errors found when checking them. */
  readonly #loadedFiles = new Map<number, string>();
  #next = 0;
  #size = 0;

  constructor(host: ShardHost, options: LinkTableOptions) {
    this.#host = host;
    this.#options = options;
    this.#indexes = this.#createIndexes(0);
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
      segment = new LinkSegment(no, this.#options.perSegment);
      this.#segments.set(no, segment);
      this.#host.create(segmentName(PREFIX, no));
    }
    const row = encodeLinkRow({ ...link, createdAt: this.#host.now() });
    // Index the standalone row before appending it: scanning the segment text would flatten it every time.
    this.#indexes.add(row, 0, row.length, location);
    segment.append(row);
    this.#next++;
    this.#size++;
    this.#host.touch(segmentName(PREFIX, no), location - no * this.#options.perSegment);
    return decodeLinkRow(linkId(location), row);
  }

  get(id: string): MessageLink | undefined {
    const location = parseLinkId(id);
    const row = location === undefined ? null : this.#rowAt(location);
    return row === null ? undefined : decodeLinkRow(id, row);
  }

  list(): MessageLink[] {
    const links: MessageLink[] = [];
    for (const segment of [...this.#segments.values()].sort((a, b) => a.no - b.no)) {
      for (let slot = 0; slot < segment.count; slot++) {
        const row = segment.row(slot);
        if (row) links.push(decodeLinkRow(linkId(segment.no * this.#options.perSegment + slot), row));
      }
    }
    return links;
  }

  update(id: string, patch: MessageLinkPatch): MessageLink | undefined {
    this.#host.assertOpen();
    const location = parseLinkId(id);
    const row = location === undefined ? null : this.#rowAt(location);
    if (row === null || location === undefined) return undefined;
    const next = encodeLinkRow(mergeLink(decodeLinkRow(id, row), patch));
    if (next === row) return decodeLinkRow(id, row);
    const { segment, slot } = this.#locate(location);
    if (!segment) return undefined;
    this.#indexes.remove(row, 0, row.length, location);
    this.#indexes.add(next, 0, next.length, location);
    segment.replace(slot, next);
    this.#host.touch(segmentName(PREFIX, segment.no), slot);
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
    const last = [...this.#segments.values()].at(-1);
    let removed = 0;
    for (const segment of this.#segments.values()) {
      const base = segment.no * this.#options.perSegment;
      let head = segment.head;
      for (; head < segment.count; head++) {
        if (segment.isEmpty(head)) continue;
        const text = segment.text;
        scanRow(text, segment.start(head), segment.end(head), this.#bounds);
        if (createdAtOf(text, this.#bounds) >= cutoff && this.#size <= this.#options.maxLinks) break;
        this.#indexes.remove(text, segment.start(head), segment.end(head), base + head);
        this.#size--;
        removed++;
      }
      const emptied = segment.full && head >= segment.count;
      // The last segment stays even when empty: its row count keeps link ids from being reused.
      if (emptied && segment !== last) {
        this.#segments.delete(segment.no);
        this.#host.drop(segmentName(PREFIX, segment.no));
        continue;
      }
      if (head > segment.head) {
        segment.clearBefore(head);
        this.#host.touch(segmentName(PREFIX, segment.no));
      }
      if (!emptied) break;
    }
    return removed;
  }

  initialize(): void {
    this.#indexes = this.#createIndexes(0);
  }

  load(name: string, data: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a link segment name');
    if (!isRecord(data) || data.segment !== no || typeof data.rows !== 'string') {
      throw corruptShard(file, 'expected { segment, rows: "…" }');
    }
    const segment = LinkSegment.fromText(no, this.#options.perSegment, data.rows);
    if (typeof segment === 'string') throw corruptShard(file, segment);
    this.#segments.set(no, segment);
    this.#loadedFiles.set(no, file);
  }

  finishLoad(): void {
    const sorted = [...this.#segments.values()].sort((a, b) => a.no - b.no);
    this.#segments.clear();
    let rows = 0;
    for (const segment of sorted) {
      this.#segments.set(segment.no, segment);
      rows += segment.count - segment.head;
    }
    const last = sorted.at(-1);
    this.#next = last ? last.no * this.#options.perSegment + last.count : 0;
    // Every row is checked now, so that a damaged file fails the open; hashing them waits (see LinkIndexes).
    for (const segment of sorted) this.#checkSegment(segment);
    this.#loadedFiles.clear();
    this.#indexes = this.#createIndexes(rows);
    this.#indexes.buildInBackground(sorted.map((segment) => segment.no));
  }

  /** Stops the indexes' background build (the store is closing). */
  close(): void {
    this.#indexes.stop();
  }

  *shardNames(): Iterable<string> {
    for (const no of this.#segments.keys()) yield segmentName(PREFIX, no);
  }

  snapshot(name: string): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    return segment && { segment: segment.no, rows: segment.text };
  }

  /** The rows `slots` of a segment as they are now (pruning, which empties rows in bulk, logs whole segments). */
  deltaOf(name: string, slots: ReadonlySet<string | number>): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    const rows: [number, string][] = [];
    for (const slot of [...slots].map(Number).sort((a, b) => a - b)) rows.push([slot, segment?.row(slot) ?? '']);
    return { rows };
  }

  applyDelta(name: string, delta: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a link segment name');
    if (!isRecord(delta) || !Array.isArray(delta.rows)) throw corruptShard(file, `a ${name} delta is not { rows }`);
    let segment = this.#segments.get(no);
    if (!segment) {
      segment = new LinkSegment(no, this.#options.perSegment);
      this.#segments.set(no, segment);
    }
    for (const [index, pair] of (delta.rows as unknown[]).entries()) {
      const [slot, row] = Array.isArray(pair) ? (pair as unknown[]) : [];
      const problem =
        typeof slot !== 'number' || typeof row !== 'string' ? 'is not [slot, row]' : segment.put(slot, row);
      if (problem) throw corruptShard(file, `${name} delta row ${index} ${problem}`);
    }
    this.#loadedFiles.set(no, file);
  }

  /** Checks every row of a loaded segment and counts them. */
  #checkSegment(segment: LinkSegment): void {
    const text = segment.text;
    for (let i = segment.head; i < segment.count; i++) {
      if (segment.isEmpty(i)) continue;
      const problem = checkLinkRow(text, segment.start(i), segment.end(i), this.#bounds);
      if (problem) throw corruptShard(this.#loadedFiles.get(segment.no) ?? String(segment.no), `row ${i}: ${problem}`);
      this.#size++;
    }
  }

  #find(key: LinkKey, values: readonly string[]): MessageLink | undefined {
    const location = this.#indexes.find(key, values);
    if (location === undefined) return undefined;
    const row = this.#rowAt(location);
    return row === null ? undefined : decodeLinkRow(linkId(location), row);
  }

  /** Indexes over this table's rows, sized for `expected` entries each. */
  #createIndexes(expected: number): LinkIndexes {
    const rows = { perSegment: this.#options.perSegment, segment: (no: number) => this.#segments.get(no) };
    return new LinkIndexes(rows, expected);
  }

  #locate(location: number): { segment: LinkSegment | undefined; slot: number } {
    const no = Math.floor(location / this.#options.perSegment);
    return { segment: this.#segments.get(no), slot: location - no * this.#options.perSegment };
  }

  #rowAt(location: number): LinkRow | null {
    const { segment, slot } = this.#locate(location);
    return segment?.row(slot) ?? null;
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
