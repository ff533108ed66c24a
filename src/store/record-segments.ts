import { isRecord } from './manifest.js';
import { parseSegmentName, segmentName, type ShardHost } from './shard-table.js';
import { corruptShard } from './store-error.js';

interface Segment<T> {
  readonly no: number;
  /** Records by key, in key order. */
  readonly records: Map<number, T>;
}

/**
 * Records keyed by a sequence number that never repeats, split into segments of `perSegment` consecutive
 * keys (`<prefix>-000003` holds keys 3·n … 4·n−1). A change rewrites only its segment; a segment left
 * empty is deleted, except the last one, whose `nextSeq` keeps keys monotonic across restarts. The
 * journal and the effects are both kept this way.
 */
export class RecordSegments<T> {
  readonly #host: ShardHost;
  readonly #prefix: string;
  readonly #perSegment: number;
  /** In ascending order. */
  readonly #segments = new Map<number, Segment<T>>();
  #nextSeq = 1;
  #size = 0;

  constructor(host: ShardHost, prefix: string, perSegment: number) {
    this.#host = host;
    this.#prefix = prefix;
    this.#perSegment = perSegment;
  }

  get size(): number {
    return this.#size;
  }

  /** The key the next new record gets (and reserves it). */
  allocate(): number {
    return this.#nextSeq++;
  }

  /** Stores a new record or replaces one; `seq` must come from `allocate`. */
  put(seq: number, record: T): void {
    const no = Math.floor(seq / this.#perSegment);
    let segment = this.#segments.get(no);
    if (!segment) {
      this.#dropEmptyLast(no);
      segment = { no, records: new Map() };
      this.#segments.set(no, segment);
      this.#host.create(segmentName(this.#prefix, no));
    }
    if (!segment.records.has(seq)) this.#size++;
    segment.records.set(seq, record);
    this.#host.touch(segmentName(this.#prefix, no), seq);
  }

  get(seq: number): T | undefined {
    return this.#segments.get(Math.floor(seq / this.#perSegment))?.records.get(seq);
  }

  /** Removes a record; false when there was none. */
  delete(seq: number): boolean {
    const no = Math.floor(seq / this.#perSegment);
    const segment = this.#segments.get(no);
    if (!segment?.records.delete(seq)) return false;
    this.#size--;
    const isLast = no >= Math.floor((this.#nextSeq - 1) / this.#perSegment);
    if (segment.records.size === 0 && !isLast) {
      this.#segments.delete(no);
      this.#host.drop(segmentName(this.#prefix, no));
    } else {
      this.#host.touch(segmentName(this.#prefix, no), seq);
    }
    return true;
  }

  /**
   * The last segment is kept when it empties (its `nextSeq` keeps keys monotonic); once a later one is created it
   * carries that, so an empty earlier one goes. Without this, a journal whose entries leave at once would keep one
   * empty segment per `perSegment` keys ever appended, and every walk over its records would grow with them.
   */
  #dropEmptyLast(newNo: number): void {
    for (const [no, segment] of this.#segments) {
      if (no < newNo && segment.records.size === 0) {
        this.#segments.delete(no);
        this.#host.drop(segmentName(this.#prefix, no));
      }
    }
  }

  /** Every record, in key order. */
  *values(): Iterable<T> {
    for (const segment of this.#segments.values()) yield* segment.records.values();
  }

  /** Takes one segment file's content; `parse` checks a record (throwing with its reason) and returns its key. */
  load(name: string, data: unknown, file: string, parse: (value: unknown) => { seq: number; record: T }): void {
    const no = parseSegmentName(this.#prefix, name);
    if (no === undefined) throw corruptShard(file, `not a ${this.#prefix} segment name`);
    if (!isRecord(data) || data.segment !== no || typeof data.nextSeq !== 'number' || !Array.isArray(data.entries)) {
      throw corruptShard(file, 'expected { segment, nextSeq, entries: [...] }');
    }
    const records = new Map<number, T>();
    for (const [index, value] of (data.entries as unknown[]).entries()) {
      let parsed: { seq: number; record: T };
      try {
        parsed = parse(value);
      } catch (error) {
        throw corruptShard(file, `entry ${index} ${error instanceof Error ? error.message : String(error)}`);
      }
      if (Math.floor(parsed.seq / this.#perSegment) !== no || parsed.seq >= data.nextSeq) {
        throw corruptShard(file, `entry ${index} does not belong to this segment`);
      }
      records.set(parsed.seq, parsed.record);
    }
    this.#segments.set(no, { no, records: new Map([...records].sort(([a], [b]) => a - b)) });
    this.#nextSeq = Math.max(this.#nextSeq, data.nextSeq);
  }

  /** The records `seqs` of a segment as they are now (`put`), and those gone (`del`). */
  deltaOf(name: string, seqs: ReadonlySet<string | number>): unknown {
    const no = parseSegmentName(this.#prefix, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    const put: T[] = [];
    const del: number[] = [];
    for (const key of seqs) {
      const record = segment?.records.get(Number(key));
      if (record === undefined) del.push(Number(key));
      else put.push(record);
    }
    return { nextSeq: this.#nextSeq, put, del };
  }

  /** Replays a delta of `deltaOf` over a loaded (or not yet existing) segment; `parse` as for `load`. */
  applyDelta(name: string, delta: unknown, file: string, parse: (value: unknown) => { seq: number; record: T }): void {
    const no = parseSegmentName(this.#prefix, name);
    if (no === undefined) throw corruptShard(file, `not a ${this.#prefix} segment name`);
    if (
      !isRecord(delta) ||
      typeof delta.nextSeq !== 'number' ||
      !Array.isArray(delta.put) ||
      !Array.isArray(delta.del)
    ) {
      throw corruptShard(file, `a ${name} delta is not { nextSeq, put, del }`);
    }
    let segment = this.#segments.get(no);
    if (!segment) {
      segment = { no, records: new Map() };
      this.#segments.set(no, segment);
    }
    for (const seq of delta.del as unknown[]) segment.records.delete(Number(seq));
    for (const [index, value] of (delta.put as unknown[]).entries()) {
      let parsed: { seq: number; record: T };
      try {
        parsed = parse(value);
      } catch (error) {
        throw corruptShard(
          file,
          `${name} delta entry ${index} ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      segment.records.set(parsed.seq, parsed.record);
    }
    // Keys come in any order in a delta; the segment keeps them sorted.
    const sorted = [...segment.records].sort(([a], [b]) => a - b);
    segment.records.clear();
    for (const [seq, record] of sorted) segment.records.set(seq, record);
    this.#nextSeq = Math.max(this.#nextSeq, delta.nextSeq);
  }

  /** After every segment is loaded: orders them and drops empty ones but the last. */
  finishLoad(): void {
    const sorted = [...this.#segments.values()].sort((a, b) => a.no - b.no);
    this.#segments.clear();
    const last = sorted.at(-1);
    for (const segment of sorted) {
      if (segment.records.size === 0 && segment !== last) {
        this.#host.drop(segmentName(this.#prefix, segment.no));
        continue;
      }
      this.#segments.set(segment.no, segment);
      this.#size += segment.records.size;
    }
  }

  *shardNames(): Iterable<string> {
    for (const no of this.#segments.keys()) yield segmentName(this.#prefix, no);
  }

  snapshot(name: string): unknown {
    const no = parseSegmentName(this.#prefix, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    return segment && { segment: segment.no, nextSeq: this.#nextSeq, entries: [...segment.records.values()] };
  }
}
