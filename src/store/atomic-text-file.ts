import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { StoreError } from './store-error.js';

/**
 * A lowdb adapter for one text file that survives crashes: each write goes to a temp file beside it
 * (`.<name>.tmp`), is fsynced, then renamed over the file. lowdb's own `TextFile` (steno) renames but
 * never fsyncs, so after a power loss the renamed file could be empty.
 */
export class AtomicTextFile implements Adapter<string> {
  readonly path: string;
  readonly #tempPath: string;
  readonly #fsync: boolean;

  constructor(path: string, options: { fsync?: boolean } = {}) {
    this.path = path;
    this.#tempPath = join(dirname(path), `.${basename(path)}.tmp`);
    this.#fsync = options.fsync ?? true;
  }

  async read(): Promise<string | null> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw new StoreError('store_io', `Cannot read store file ${this.path}`, { file: this.path, cause: error });
    }
  }

  async write(text: string): Promise<void> {
    try {
      const handle = await open(this.#tempPath, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(this.#tempPath, this.path);
    } catch (error) {
      throw new StoreError('store_io', `Cannot write store file ${this.path}`, { file: this.path, cause: error });
    }
  }
}

/** True when `error` is a Node system error with this `code`. */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
