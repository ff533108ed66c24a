/** What a table asks of the store it belongs to. */
export interface ShardHost {
  /** The clock (injectable for tests). */
  now(): number;
  /** Throws a `store_closed` StoreError once the store is closed; called by every mutation. */
  assertOpen(): void;
  /**
   * Shard `name` changed: log it with the next group commit. With `key` (a row of a table that can log
   * deltas), only that row's change is logged; without, the whole shard.
   */
  touch(name: string, key?: string | number): void;
  /** Shard `name` is new: log it and add it to the shard list. */
  create(name: string): void;
  /** Shard `name` is gone: drop it from the shard list (its file goes at the next checkpoint). */
  drop(name: string): void;
}

/** One kind of data split across shard files (conversations, links, journal, dedupe keys, cursors). */
export interface ShardTable {
  /** Shard names start with `<prefix>-` (or are exactly `<prefix>` for a single-file table). */
  readonly prefix: string;
  /** Sets up an empty table in a new store (creating its first shards through the host). */
  initialize(): void;
  /**
   * Takes one shard's content read at start-up, in any order; throws a `store_corrupt` StoreError
   * naming `file` when the content is not what this table writes.
   */
  load(name: string, data: unknown, file: string): void;
  /** Called once every shard is loaded: build indexes. */
  finishLoad(): void;
  /** The shards that hold data, for the manifest. */
  shardNames(): Iterable<string>;
  /** The JSON to write for a shard as it is now; undefined when the shard no longer exists. */
  snapshot(name: string): unknown;
  /**
   * The rows `keys` of shard `name` as they are now (a row that is gone says so), for the log: a commit
   * then costs what changed, not the whole shard. Absent: the table is always logged whole.
   */
  deltaOf?(name: string, keys: ReadonlySet<string | number>): unknown;
  /** Applies a delta `deltaOf` made to a shard already loaded (replaying the log at open). */
  applyDelta?(name: string, delta: unknown, file: string): void;
  /** Called once when the store closes: stop background work (never called on a store not opened). */
  close?(): void;
}

/** `journal-000012` style names: sortable, and still valid past a million segments. */
export function segmentName(prefix: string, segment: number): string {
  return `${prefix}-${String(segment).padStart(6, '0')}`;
}

/** One pattern per table prefix (a handful): names are parsed for every changed shard of every commit. */
const segmentPatterns = new Map<string, RegExp>();

/** The segment number in a {@link segmentName}, or undefined when `name` is not one of `prefix`. */
export function parseSegmentName(prefix: string, name: string): number | undefined {
  let pattern = segmentPatterns.get(prefix);
  if (!pattern) {
    pattern = new RegExp(`^${prefix}-(\\d+)$`);
    segmentPatterns.set(prefix, pattern);
  }
  const match = pattern.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
