import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { AtomicTextFile, isErrno } from './atomic-text-file.js';
import { parseStoreBytes } from './store-file-bytes.js';
import { StoreError } from './store-error.js';
import { MANIFEST, isShardName, logName, type Volume } from './volume.js';

const LOG_SUFFIX = '.log';
/** A read buffer is kept for the next read up to this size (shard files are a few hundred KB). */
const MAX_KEPT_READ_BUFFER = 4 * 2 ** 20;

/**
 * The store's files on disk: the manifest at `path` (e.g. `data/threadline.json`) and each shard beside
 * it as `threadline.<shard>.json`, each written through lowdb on an {@link AtomicTextFile} adapter and read
 * back into a reused buffer (see {@link FileVolume.read}), and the write-ahead log as
 * `threadline.wal-000001.log`, kept open while it is appended to.
 */
export class FileVolume implements Volume {
  readonly #dir: string;
  readonly #stem: string;
  readonly #fsync: boolean;
  /** The log appended to last, kept open so that a commit costs one write and one fdatasync. */
  #log: { readonly no: number; readonly handle: FileHandle } | undefined;
  /** Reused by every read: a file's bytes then land in memory already touched, and only what is parsed is new. */
  #readBuffer: Buffer | undefined;

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

  /**
   * Read synchronously, straight into the reused buffer and parsed from there (see parseStoreBytes). Open
   * reads every shard before the store can do anything else, and a shard comes from the page cache in
   * microseconds: a trip through the thread pool per open, stat, read and close cost more than the reads
   * (opening 100k conversations and 1M links: recovery took 0.2-0.6 s less, on 2 cores). A cold cache
   * reads the files one after another instead of 8 at a time.
   */
  async read(name: string): Promise<unknown> {
    const path = this.describe(name);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw new StoreError('store_io', `Cannot read store file ${path}`, { file: path, cause: error });
    }
    try {
      const { size } = fstatSync(fd);
      const buffer = this.#readBufferFor(size);
      let length = 0;
      while (length < size) {
        const bytesRead = readSync(fd, buffer, length, size - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      // Parsed before the next read reuses the buffer: the content copies what it keeps.
      return parseStoreBytes(buffer.subarray(0, length), path);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('store_io', `Cannot read store file ${path}`, { file: path, cause: error });
    } finally {
      closeSync(fd);
    }
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

  describeLog(no: number): string {
    return join(this.#dir, `${this.#stem}.${logName(no)}${LOG_SUFFIX}`);
  }

  async logs(): Promise<number[]> {
    const prefix = `${this.#stem}.wal-`;
    return (await readdir(this.#dir))
      .filter((file) => file.startsWith(prefix) && file.endsWith(LOG_SUFFIX))
      .map((file) => file.slice(prefix.length, -LOG_SUFFIX.length))
      .filter((digits) => /^\d{6,}$/.test(digits))
      .map(Number)
      .sort((a, b) => a - b);
  }

  async readLog(no: number): Promise<Uint8Array | null> {
    const path = this.describeLog(no);
    try {
      return await readFile(path);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      throw new StoreError('store_io', `Cannot read store log ${path}`, { file: path, cause: error });
    }
  }

  async appendLog(no: number, bytes: Uint8Array): Promise<void> {
    const path = this.describeLog(no);
    let created = false;
    try {
      if (this.#log?.no !== no) {
        await this.#closeLog();
        created = await createIfAbsent(path);
        // O_DSYNC: each append is durable when the write returns, one call instead of a write and a datasync.
        const flags =
          constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (this.#fsync ? constants.O_DSYNC : 0);
        this.#log = { no, handle: await open(path, flags) };
      }
      // Written synchronously: a durable append takes a fraction of a millisecond, less than the trip
      // through the thread pool and back through a busy event loop that an async write costs.
      const fd = this.#log.handle.fd;
      for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // What the failed append left in the file is unknown: the handle goes, and the store moves on to a new log.
      await this.#closeLog().catch(() => undefined);
      throw new StoreError('store_io', `Cannot append to store log ${path}`, { file: path, cause: error });
    }
    if (created) await this.sync();
  }

  async removeLog(no: number): Promise<void> {
    if (this.#log?.no === no) await this.#closeLog();
    await unlinkIfPresent(this.describeLog(no));
  }

  close(): Promise<void> {
    return this.#closeLog();
  }

  async #closeLog(): Promise<void> {
    const log = this.#log;
    this.#log = undefined;
    await log?.handle.close();
  }

  /** The reused buffer, grown (with room to spare) when `size` bytes do not fit; a one-off for a huge file. */
  #readBufferFor(size: number): Buffer {
    if (this.#readBuffer && this.#readBuffer.length >= size) return this.#readBuffer;
    const buffer = Buffer.allocUnsafeSlow(Math.max(2 ** 16, Math.ceil(size * 1.25)));
    if (buffer.length <= MAX_KEPT_READ_BUFFER) this.#readBuffer = buffer;
    return buffer;
  }

  #adapter(name: string): AtomicTextFile {
    return new AtomicTextFile(this.describe(name), { fsync: this.#fsync });
  }
}

/** Creates an empty file unless one exists; true when it did. */
async function createIfAbsent(path: string): Promise<boolean> {
  try {
    await (await open(path, 'wx')).close();
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}
