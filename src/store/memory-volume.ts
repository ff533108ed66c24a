import { Memory } from 'lowdb';
import { StoreError } from './store-error.js';
import { MANIFEST, isShardName, type Volume } from './volume.js';

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
    const text = await this.#files.get(name)?.read();
    if (text === undefined || text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new StoreError('store_corrupt', `Store file ${this.describe(name)} is not valid JSON`, {
        file: this.describe(name),
        cause: error,
      });
    }
  }

  write(name: string, data: unknown): Promise<void> {
    const text = JSON.stringify(data);
    let file = this.#files.get(name);
    if (!file) {
      file = new Memory<string>();
      this.#files.set(name, file);
    }
    return file.write(text);
  }

  /** Replaces a file's raw text (tests use it to corrupt a shard). */
  async writeRaw(name: string, text: string): Promise<void> {
    const file = new Memory<string>();
    await file.write(text);
    this.#files.set(name, file);
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
