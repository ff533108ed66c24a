import type { Logger } from 'pino';

const DAY_MS = 86_400_000;

/** Tuning of a store; every field has a default. */
export interface StoreOptions {
  /**
   * How long the first mutation of a batch waits for others before the batch is written.
   * @default 5
   */
  readonly commitWindowMs?: number;
  /**
   * Mutations within one window that make the batch write at once, without waiting out the window.
   * @default 512
   */
  readonly commitMaxBatch?: number;
  /**
   * Once the write-ahead log holds this many bytes since the last checkpoint, the next commit starts a
   * checkpoint in the background: the log's content is written into the shard files and the log deleted.
   * Bigger means fewer shard writes but a longer replay after a crash (a commit logs whole shards).
   * @default 8_388_608 (8 MiB)
   */
  readonly checkpointBytes?: number;
  /**
   * Message links older than this are pruned.
   * @default 90
   */
  readonly linkRetentionDays?: number;
  /**
   * The most message links kept; the oldest go first. Enforced by pruning, so it can be exceeded until
   * the next prune. Each link costs roughly 200–250 bytes of memory.
   * @default 2_000_000
   */
  readonly maxLinks?: number;
  /**
   * How often expired links and dedupe keys are pruned; 0 disables the timer (call `prune()` yourself).
   * @default 60_000
   */
  readonly pruneIntervalMs?: number;
  /**
   * A conversation shard splits in two when it holds more than this many conversations.
   * @default 256
   */
  readonly conversationsPerShard?: number;
  /**
   * Message links per segment file. Fixed when the store is created (the manifest keeps it).
   * @default 1024
   */
  readonly linksPerSegment?: number;
  /**
   * Journal sequence numbers per segment file. Fixed when the store is created (the manifest keeps it).
   * @default 256
   */
  readonly journalPerSegment?: number;
  /**
   * Effect ids per segment file. Fixed when the store is created (the manifest keeps it).
   * @default 256
   */
  readonly effectsPerSegment?: number;
  /**
   * Dead letters (effects that failed for good) are kept this long for `threadline queue`, then pruned.
   * @default 14
   */
  readonly deadLetterRetentionDays?: number;
  /**
   * Dedupe keys per segment file.
   * @default 1024
   */
  readonly dedupePerSegment?: number;
  /**
   * The clock, in Unix ms (tests inject one to expire keys and links).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Called after each write to a file: a commit's append to the log (`wal-000001`), and a checkpoint's
   * shard files (shard name) and manifest (`manifest`). Tests count writes with it.
   */
  readonly onFileWrite?: (name: string) => void;
  /** Where failed commits and checkpoints, log replays and start-up clean-ups are logged. */
  readonly logger?: Logger;
}

export type ResolvedStoreOptions = Required<
  Omit<StoreOptions, 'onFileWrite' | 'logger' | 'linkRetentionDays' | 'deadLetterRetentionDays'>
> &
  Pick<StoreOptions, 'onFileWrite' | 'logger'> & {
    readonly linkRetentionMs: number;
    readonly deadLetterRetentionMs: number;
  };

/** Fills in defaults and rejects values that cannot work. */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  const resolved = {
    commitWindowMs: options.commitWindowMs ?? 0,
    commitMaxBatch: options.commitMaxBatch ?? 512,
    checkpointBytes: options.checkpointBytes ?? 8 * 2 ** 20,
    linkRetentionMs: (options.linkRetentionDays ?? 90) * DAY_MS,
    maxLinks: options.maxLinks ?? 2_000_000,
    pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    conversationsPerShard: options.conversationsPerShard ?? 256,
    linksPerSegment: options.linksPerSegment ?? 1024,
    journalPerSegment: options.journalPerSegment ?? 256,
    effectsPerSegment: options.effectsPerSegment ?? 256,
    deadLetterRetentionMs: (options.deadLetterRetentionDays ?? 14) * DAY_MS,
    dedupePerSegment: options.dedupePerSegment ?? 1024,
    now: options.now ?? Date.now,
    onFileWrite: options.onFileWrite,
    logger: options.logger,
  };
  const counts = [
    'commitMaxBatch',
    'checkpointBytes',
    'maxLinks',
    'conversationsPerShard',
    'linksPerSegment',
    'journalPerSegment',
    'effectsPerSegment',
    'dedupePerSegment',
  ] as const;
  for (const key of counts) requirePositiveInteger(resolved[key], key);
  for (const key of ['commitWindowMs', 'pruneIntervalMs', 'linkRetentionMs', 'deadLetterRetentionMs'] as const) {
    if (!(resolved[key] >= 0)) throw new TypeError(`Expected ${key} to be a number >= 0, got ${resolved[key]}`);
  }
  return resolved;
}

function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`Expected ${name} to be a positive integer, got ${value}`);
  }
}
