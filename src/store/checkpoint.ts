import type { Logger } from 'pino';
import { toJson } from './json-text.js';
import type { Manifest } from './manifest.js';
import { stampShard, type ShardVersion } from './shard-file.js';
import { MANIFEST, type Volume } from './volume.js';

/** Files written at once by a checkpoint nothing waits for: at open and close (file descriptors are finite). */
const WRITE_CONCURRENCY = 16;
/**
 * Files written at once by a checkpoint while commits go on: one. Each write holds a libuv thread and the
 * disk through its fsync, and a commit's append waits behind them (measured on bench/store.ts at 100k
 * conversations: commit p99 rises with every file written at once; with one it matches no checkpoint).
 */
const BACKGROUND_WRITE_CONCURRENCY = 1;

/** What one checkpoint writes: taken synchronously when the log was rotated. */
export interface CheckpointPlan {
  /** Every shard changed since the last checkpoint, at its last logged version. */
  readonly shards: ReadonlyMap<string, ShardVersion>;
  /** The manifest to write once those shards are durable: `log` is the log begun at the rotation. */
  readonly manifest: Manifest;
}

export interface CheckpointHooks {
  readonly onFileWrite?: ((name: string) => void) | undefined;
  readonly logger?: Logger | undefined;
  /** True while commits may be waiting on the volume: write fewer files at once. */
  readonly background?: boolean;
}

/**
 * Moves the content of the logs before `plan.manifest.log` into the shard files: writes each changed
 * shard (atomically, stamped with its batch), syncs the directory, writes the manifest, syncs again,
 * then deletes removed shards and obsolete logs. Until the manifest is durable the old one still points
 * at those logs, so a crash at any step reopens to the same state.
 */
export async function writeCheckpoint(volume: Volume, plan: CheckpointPlan, hooks: CheckpointHooks): Promise<void> {
  const listed = new Set(plan.manifest.shards);
  const writes: [string, number, unknown][] = [];
  const removed: string[] = [];
  for (const [name, { batch, data }] of plan.shards) {
    if (data !== null && listed.has(name)) writes.push([name, batch, data]);
    else if (!listed.has(name)) removed.push(name);
  }
  const concurrency = hooks.background ? BACKGROUND_WRITE_CONCURRENCY : WRITE_CONCURRENCY;
  await writeAll(writes, concurrency, async ([name, batch, data]) => {
    // Serialized here, one shard at a time, not when the snapshot was taken: that was on a commit's path.
    const json = toJson(data);
    // Stamped here, not up front, so that only the files being written exist twice in memory.
    await volume.write(name, stampShard(batch, json));
    hooks.onFileWrite?.(name);
  });
  // The manifest may stop pointing at the logs only once the shards that replace them are durable.
  await volume.sync();
  await volume.write(MANIFEST, JSON.stringify(plan.manifest));
  hooks.onFileWrite?.(MANIFEST);
  await volume.sync();
  // Tidying only: a removed shard or an obsolete log left behind is deleted at the next open.
  try {
    for (const name of removed) await volume.remove(name);
    for (const no of await volume.logs()) if (no < plan.manifest.log) await volume.removeLog(no);
  } catch (error) {
    hooks.logger?.warn({ err: error }, 'Could not delete a store file a checkpoint made obsolete');
  }
}

/**
 * Runs `write` over `items`, at most `limit` at a time; waits for all of them (none may still run when
 * the manifest is written), then throws the first failure.
 */
async function writeAll<T>(items: readonly T[], limit: number, write: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await write(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
