import { Memory } from 'lowdb';
import { MANIFEST, isShardName, parseStoreFile, type Volume } from './volume.js';

/**
 * The store's "files" in memory, each a lowdb `Memory` adapter holding the JSON text (text, not the
 * object, so a reopened store gets its own copy, as it would from disk). Keep the volume to reopen a
 * memory store with its data.
 */
export class MemoryVolume implements Volume {
  readonly #files = new Map<string, Memory<string>>();

  describe(name: string): string {
    return `memory:${name}`;
  }

  async read(name: string): Promise<unknown> {
    const text = (await this.#files.get(name)?.read()) ?? null;
    return parseStoreFile(text, this.describe(name));
  }

  write(name: string, json: string): Promise<void> {
    let file = this.#files.get(name);
    if (!file) {
      file = new Memory<string>();
      this.#files.set(name, file);
    }
    return file.write(json);
  }

  remove(name: string): Promise<void> {
    this.#files.delete(name);
    return Promise.resolve();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#files.keys()].filter((name) => name !== MANIFEST && isShardName(name)));
  }

  removeTemporaries(): Promise<number> {
    return Promise.resolve(0);
  }
}
