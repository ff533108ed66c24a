import { mkdir, open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { AtomicTextFile, isErrno } from './atomic-text-file.js';
import { StoreError } from './store-error.js';
import { MANIFEST, isShardName, parseStoreFile, type Volume } from './volume.js';

/**
 * The store's files on disk: the manifest at `path` (e.g. `data/threadline.json`) and each shard beside
 * it as `threadline.<shard>.json`, each read and written through lowdb on an {@link AtomicTextFile} adapter.
 */
export class FileVolume implements Volume {
  readonly #dir: string;
  readonly #stem: string;
  readonly #fsync: boolean;

  private constructor(path: string, fsync: boolean) {
    const absolute = resolve(path);
    this.#dir = dirname(absolute);
    this.#stem = basename(absolute, extname(absolute));
    this.#fsync = fsync;
  }

  /** Opens (creating the directory if needed) the volume whose manifest is `path`. */
  static async open(path: string, options: { fsync?: boolean } = {}): Promise<FileVolume> {
    const volume = new FileVolume(path, options.fsync ?? true);
    try {
      await mkdir(volume.#dir, { recursive: true });
    } catch (error) {
      throw new StoreError('store_io', `Cannot create store directory ${volume.#dir}`, {
        file: volume.#dir,
        cause: error,
      });
    }
    return volume;
  }

  describe(name: string): string {
    return join(this.#dir, name === MANIFEST ? `${this.#stem}.json` : `${this.#stem}.${name}.json`);
  }

  async read(name: string): Promise<unknown> {
    // Straight from the adapter: Low.read() would take an empty (truncated) file for a missing one.
    return parseStoreFile(await this.#adapter(name).read(), this.describe(name));
  }

  write(name: string, json: string): Promise<void> {
    return new Low<string>(this.#adapter(name), json).write();
  }

  async remove(name: string): Promise<void> {
    await unlinkIfPresent(this.describe(name));
  }

  async sync(): Promise<void> {
    if (!this.#fsync) return;
    try {
      const handle = await open(this.#dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new StoreError('store_io', `Cannot sync store directory ${this.#dir}`, { file: this.#dir, cause: error });
    }
  }

  async list(): Promise<string[]> {
    const prefix = `${this.#stem}.`;
    return (await readdir(this.#dir))
      .filter((file) => file.startsWith(prefix) && file.endsWith('.json'))
      .map((file) => file.slice(prefix.length, -'.json'.length))
      .filter(isShardName);
  }

  async removeTemporaries(): Promise<number> {
    const prefix = `.${this.#stem}.`;
    const temporaries = (await readdir(this.#dir)).filter((file) => file.startsWith(prefix) && file.endsWith('.tmp'));
    await Promise.all(temporaries.map((file) => unlinkIfPresent(join(this.#dir, file))));
    return temporaries.length;
  }

  #adapter(name: string): AtomicTextFile {
    return new AtomicTextFile(this.describe(name), { fsync: this.#fsync });
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}
