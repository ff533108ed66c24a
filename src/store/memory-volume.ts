import { Memory } from 'lowdb';
import { MANIFEST, isShardName, logName, parseStoreFile, type Volume } from './volume.js';

/**
 * The store's "files" in memory, each a lowdb `Memory` adapter holding the JSON text (text, not the
 * object, so a reopened store gets its own copy, as it would from disk), and the logs as bytes. Keep the
 * volume to reopen a memory store with its data.
 */
export class MemoryVolume implements Volume {
  readonly #files = new Map<string, Memory<string>>();
  /** Each log as the chunks appended to it (copied: the caller may reuse its buffer). */
  readonly #logs = new Map<number, Buffer[]>();

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

  describeLog(no: number): string {
    return `memory:${logName(no)}`;
  }

  logs(): Promise<number[]> {
    return Promise.resolve([...this.#logs.keys()].sort((a, b) => a - b));
  }

  readLog(no: number): Promise<Uint8Array | null> {
    const chunks = this.#logs.get(no);
    return Promise.resolve(chunks ? Buffer.concat(chunks) : null);
  }

  appendLog(no: number, bytes: Uint8Array): Promise<void> {
    let chunks = this.#logs.get(no);
    if (!chunks) {
      chunks = [];
      this.#logs.set(no, chunks);
    }
    chunks.push(Buffer.from(bytes));
    return Promise.resolve();
  }

  removeLog(no: number): Promise<void> {
    this.#logs.delete(no);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
