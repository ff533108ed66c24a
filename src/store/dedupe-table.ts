import { isRecord } from './manifest.js';
import { parseSegmentName, segmentName, type ShardHost, type ShardTable } from './shard-table.js';
import { corruptShard } from './store-error.js';
import type { DedupeStore } from './store.js';

const PREFIX = 'dedupe';

interface Segment {
  readonly no: number;
  /** Key → expiry (Unix ms). */
  readonly keys: Map<string, number>;
  maxExpiresAt: number;
}

/**
 * Dedupe keys in segments of up to `perSegment` keys, filled in claim order (`dedupe-000007`). A claim
 * rewrites only the current segment; pruning deletes a segment once every key in it has expired, so
 * its cost is the number of expired keys. A key claimed again after expiring moves to the current
 * segment; the stale copy left behind loses to it (later expiry wins) on load.
 */
export class DedupeTable implements DedupeStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #perSegment: number;
  readonly #segments = new Map<number, Segment>();
  /** Key → the segment holding its live claim. */
  readonly #index = new Map<string, number>();
  #current: Segment | undefined;

  constructor(host: ShardHost, options: { perSegment: number }) {
    this.#host = host;
    this.#perSegment = options.perSegment;
  }

  get size(): number {
    return this.#index.size;
  }

  claim(key: string, ttlMs: number): boolean {
    this.#host.assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('Expected a non-empty dedupe key');
    if (!(ttlMs > 0)) throw new TypeError(`Expected a positive ttlMs, got ${ttlMs}`);
    const now = this.#host.now();
    if (this.#expiryOf(key) > now) return false;
    let segment = this.#current;
    if (!segment || segment.keys.size >= this.#perSegment) {
      const no = segment ? segment.no + 1 : 0;
      segment = { no, keys: new Map(), maxExpiresAt: 0 };
      this.#segments.set(no, segment);
      this.#current = segment;
      this.#host.create(segmentName(PREFIX, no));
    }
    const expiresAt = now + ttlMs;
    segment.keys.set(key, expiresAt);
    segment.maxExpiresAt = Math.max(segment.maxExpiresAt, expiresAt);
    this.#index.set(key, segment.no);
    this.#host.touch(segmentName(PREFIX, segment.no), key);
    return true;
  }

  has(key: string): boolean {
    return this.#expiryOf(key) > this.#host.now();
  }

  entries(): [string, number][] {
    const now = this.#host.now();
    const out: [string, number][] = [];
    for (const key of this.#index.keys()) {
      const expiresAt = this.#expiryOf(key);
      if (expiresAt > now) out.push([key, expiresAt]);
    }
    return out;
  }

  release(key: string): boolean {
    this.#host.assertOpen();
    const no = this.#index.get(key);
    if (no === undefined) return false;
    this.#index.delete(key);
    this.#segments.get(no)?.keys.delete(key);
    this.#host.touch(segmentName(PREFIX, no), key);
    return true;
  }

  /** Forgets every key of segments whose keys have all expired; returns how many keys went. */
  prune(now: number): number {
    let removed = 0;
    for (const segment of this.#segments.values()) {
      if (segment.maxExpiresAt > now || segment.keys.size === 0) continue;
      for (const key of segment.keys.keys()) {
        if (this.#index.get(key) === segment.no) {
          this.#index.delete(key);
          removed++;
        }
      }
      if (segment === this.#current) {
        segment.keys.clear();
        segment.maxExpiresAt = 0;
        this.#host.touch(segmentName(PREFIX, segment.no));
      } else {
        this.#segments.delete(segment.no);
        this.#host.drop(segmentName(PREFIX, segment.no));
      }
    }
    return removed;
  }

  initialize(): void {}

  load(name: string, data: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a dedupe segment name');
    if (!isRecord(data) || data.segment !== no || !Array.isArray(data.keys)) {
      throw corruptShard(file, 'expected { segment, keys: [[key, expiresAt], ...] }');
    }
    const keys = new Map<string, number>();
    let maxExpiresAt = 0;
    for (const [index, pair] of (data.keys as unknown[]).entries()) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number') {
        throw corruptShard(file, `key ${index} is not [key, expiresAt]`);
      }
      keys.set(pair[0], pair[1]);
      maxExpiresAt = Math.max(maxExpiresAt, pair[1]);
    }
    this.#segments.set(no, { no, keys, maxExpiresAt });
  }

  finishLoad(): void {
    const sorted = [...this.#segments.values()].sort((a, b) => a.no - b.no);
    this.#segments.clear();
    for (const segment of sorted) {
      this.#segments.set(segment.no, segment);
      for (const [key, expiresAt] of segment.keys) {
        if (expiresAt >= this.#expiryOf(key)) this.#index.set(key, segment.no);
      }
    }
    this.#current = sorted.at(-1);
  }

  /** The keys of a segment as they are now (`set`), and those gone (`del`). */
  deltaOf(name: string, keys: ReadonlySet<string | number>): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    const set: [string, number][] = [];
    const del: string[] = [];
    for (const key of keys) {
      const expiresAt = segment?.keys.get(String(key));
      if (expiresAt === undefined) del.push(String(key));
      else set.push([String(key), expiresAt]);
    }
    return { set, del };
  }

  applyDelta(name: string, delta: unknown, file: string): void {
    const no = parseSegmentName(PREFIX, name);
    if (no === undefined) throw corruptShard(file, 'not a dedupe segment name');
    if (!isRecord(delta) || !Array.isArray(delta.set) || !Array.isArray(delta.del)) {
      throw corruptShard(file, `a ${name} delta is not { set, del }`);
    }
    let segment = this.#segments.get(no);
    if (!segment) {
      segment = { no, keys: new Map(), maxExpiresAt: 0 };
      this.#segments.set(no, segment);
    }
    for (const key of delta.del as unknown[]) segment.keys.delete(String(key));
    for (const [index, pair] of (delta.set as unknown[]).entries()) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number') {
        throw corruptShard(file, `${name} delta key ${index} is not [key, expiresAt]`);
      }
      segment.keys.set(pair[0], pair[1]);
      segment.maxExpiresAt = Math.max(segment.maxExpiresAt, pair[1]);
    }
  }

  *shardNames(): Iterable<string> {
    for (const no of this.#segments.keys()) yield segmentName(PREFIX, no);
  }

  snapshot(name: string): unknown {
    const no = parseSegmentName(PREFIX, name);
    const segment = no === undefined ? undefined : this.#segments.get(no);
    return segment && { segment: segment.no, keys: [...segment.keys] };
  }

  /** Expiry of the key's live claim, or -Infinity. */
  #expiryOf(key: string): number {
    const no = this.#index.get(key);
    return (no === undefined ? undefined : this.#segments.get(no)?.keys.get(key)) ?? -Infinity;
  }
}
