import { MemoryVolume } from '../../src/store/memory-volume.js';
import { openMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { runStoreContract } from '../helpers/store-contract.js';

// The memory store keeps its "files" in a MemoryVolume; reopening on the same volume is how a restart
// looks to it.
runStoreContract('memory', async (options) => {
  const volume = new MemoryVolume();
  let current: Store = await openMemoryStore({ ...options, volume });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openMemoryStore({ ...options, volume });
      return current;
    },
    cleanup: () => current.close(),
  };
});
