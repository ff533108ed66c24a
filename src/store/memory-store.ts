import { MemoryVolume } from './memory-volume.js';
import { ShardedStore } from './sharded-store.js';
import type { StoreOptions } from './store-options.js';
import type { Store } from './store.js';

export interface MemoryStoreOptions extends StoreOptions {
  /** Pass the volume of an earlier memory store to reopen it with its data. */
  readonly volume?: MemoryVolume;
}

/**
 * A store held in memory (lowdb `Memory` adapters), for unit tests of other modules. It is the same
 * implementation as the lowdb store, so it behaves the same, commits included.
 */
export async function openMemoryStore(options: MemoryStoreOptions = {}): Promise<Store> {
  return ShardedStore.open(options.volume ?? new MemoryVolume(), options);
}
