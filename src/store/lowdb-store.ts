import { FileVolume } from './file-volume.js';
import { ShardedStore } from './sharded-store.js';
import { acquireStoreLock } from './store-lock.js';
import type { StoreOptions } from './store-options.js';
import type { Store } from './store.js';

export interface LowdbStoreOptions extends StoreOptions {
  /**
   * The store's main file (config `store.path`); shards sit beside it as `<name>.<shard>.json`.
   * @default './data/threadline.json'
   */
  readonly path?: string;
  /**
   * fdatasync the log on commit, and fsync shard files and the directory at checkpoints. Turning it off
   * keeps crash safety against a killed process but not against power loss.
   * @default true
   */
  readonly fsync?: boolean;
}

/**
 * Opens the embedded store: lowdb JSON files under one directory, split into shards so that a
 * checkpoint rewrites only what changed, with a write-ahead log beside them that each group commit
 * appends to. See {@link Store} for the durability model.
 *
 * Only one process may have the files open: a lock file beside them (`threadline.lock`) is taken first
 * and removed by `close()`. Throws a `store_locked` StoreError naming the process that holds it; a lock
 * left by a process that is gone is taken over (see acquireStoreLock).
 */
export async function openLowdbStore(options: LowdbStoreOptions = {}): Promise<Store> {
  const path = options.path ?? './data/threadline.json';
  const lock = await acquireStoreLock(path, { logger: options.logger });
  let store: ShardedStore;
  try {
    const volume = await FileVolume.open(path, { fsync: options.fsync ?? true });
    store = await ShardedStore.open(volume, options);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const closeStore = store.close.bind(store);
  // The lock goes last, once the files are flushed and closed, even when closing failed.
  store.close = async () => {
    try {
      await closeStore();
    } finally {
      await lock.release();
    }
  };
  return store;
}
