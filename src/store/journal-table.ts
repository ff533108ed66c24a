import { isRecord } from './manifest.js';
import { parseSegmentName, segmentName, type ShardHost, type ShardTable } from './shard-table.js';
import { corruptShard } from './store-error.js';
import type { Journal, JournalEntry, JournalInput } from './store.js';

const PREFIX = 'journal';

interface Segment {
  readonly no: number;
  /** Pending entries by seq, in seq order. */
  readonly entries: Map<number, JournalEntry>;
}

/**
 * The journal of pending work, in segments of `perSegment` consecutive sequence numbers
 * (`journal-000003` holds seq 3·n … 4·n−1). An append rewrites only the current segment; a segment whose
 * entries are all complete is deleted, except the last one, whose `nextSeq` keeps sequence numbers
 * monotonic across restarts.
 */
export class JournalTable implements Journal, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #perSegment: number;
  /** In ascending order. */
  readonly #segments = new Map<number, Segment>();
  #nextSeq = 1;
  #size = 0;

  constructor(host: ShardHost, options: { perSegment: number }) {
    this.#host = host;
    this.#perSegment = options.perSegment;
  }

  get size(): number {
    return this.#size;
  }

  append(input: JournalInput): number {
    this.#host.assertOpen();
    if (typeof input.kind !== 'string' || input.kind.length === 0) {
      throw new TypeError('Expected journal kind to be a non-empty string');
    }
    const text = JSON.stringify(input.payload);
    if (text === undefined) throw new TypeError('Expected a journal payload that JSON can represent');
    const seq = this.#nextSeq;
    const no = Math.floor(seq / this.#perSegment);
    let segment = this.#segments.get(no);
    if (!segment) {
      segment = { no, entries: new Map() };
      this.#segments.set(no, segment);
      this.#host.create(segmentName(PREFIX, no));
    }
    const payload = deepFreeze(JSON.parse(text) as unknown);
    segment.entries.set(seq, Object.freeze({ seq, kind: input.kind, payload, appendedAt: this.#host.now() }));
    this.#nextSeq++;
    this.#size++;
    this.#host.touch(segmentName(PREFIX, no));
    return seq;
  }

  complete(seq: number): boolean {
    this.#host.assertOpen();
    const no = Math.floor(seq / this.#perSegment);
    const segment = this.#segments.get(no);
    if (!segment?.entries.delete(seq)) return false;
    this.#size--;
    const isLast = no >= Math.floor((this.#nextSeq - 1) / this.#perSegment);
    if (segment.entries.size === 0 && !isLast) {
      this.#segments.delete(no);
      this.#host.drop(segmentName(PREFIX, no));
    } else {
      this.#host.touch(segmentName(PREFIX, no));
    }
    return true;
  }

  pending(): JournalEntry[] {
    const all: JournalEntry[] = [];
    for (const segment of this.#segments.values()) for (const entry of segment.entries.values()) all.push(entry);
    return all;
  }

  initialize(): void {}

  load(name: string, data: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a journal segment name');
    if (!isRecord(data) || data.segment !== no || typeof data.nextSeq !== 'number' || !Array.isArray(data.entries)) {
      throw corruptShard(file, 'expected { segment, nextSeq, entries: [...] }');
    }
    const entries = new Map<number, JournalEntry>();
    for (const [index, value] of (data.entries as unknown[]).entries()) {
      if (!isEntry(value) || Math.floor(value.seq / this.#perSegment) !== no || value.seq >= data.nextSeq) {
        throw corruptShard(file, `entry ${index} is not a journal entry of this segment`);
      }
      entries.set(value.seq, Object.freeze({ ...value, payload: deepFreeze(value.payload) }));
    }
    this.#segments.set(no, { no, entries: new Map([...entries].sort(([a], [b]) => a - b)) });
    this.#nextSeq = Math.max(this.#nextSeq, data.nextSeq);
  }

  finishLoad(): void {
    const sorted = [...this.#segments.values()].sort((a, b) => a.no - b.no);
    this.#segments.clear();
    const last = sorted.at(-1);
    for (const segment of sorted) {
      if (segment.entries.size === 0 && segment !== last) {
        this.#host.drop(segmentName(PREFIX, segment.no));
        continue;
      }
      this.#segments.set(segment.no, segment);
      this.#size += segment.entries.size;
    }
  }

  *shardNames(): Iterable<string> {
    for (const no of this.#segments.keys()) yield segmentName(PREFIX, no);
  }

  snapshot(name: string): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    return segment && { segment: segment.no, nextSeq: this.#nextSeq, entries: [...segment.entries.values()] };
  }
}

function isEntry(value: unknown): value is JournalEntry {
  return (
    isRecord(value) &&
    Number.isInteger(value.seq) &&
    typeof value.kind === 'string' &&
    'payload' in value &&
    typeof value.appendedAt === 'number'
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
