import { FileVolume } from './file-volume.js';
import { ShardedStore } from './sharded-store.js';
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
 */
export async function openLowdbStore(options: LowdbStoreOptions = {}): Promise<Store> {
  const volume = await FileVolume.open(options.path ?? './data/threadline.json', { fsync: options.fsync ?? true });
  return ShardedStore.open(volume, options);
}
