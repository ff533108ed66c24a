import { StoreError } from './store-error.js';

/** The name under which a volume keeps the store's manifest (never a shard name). */
export const MANIFEST = 'manifest';

/**
 * Where the store's files live: a directory of lowdb JSON files, or memory. A name is `manifest` or a
 * shard name (`[a-z][a-z0-9-]*`). Beside them are the numbered files of the write-ahead log, which are
 * only appended to (see {@link logName}).
 */
export interface Volume {
  /** The file behind a name, for error messages. */
  describe(name: string): string;
  /** Parsed content, or null when absent; throws a `store_corrupt` StoreError naming the file when unreadable. */
  read(name: string): Promise<unknown>;
  /**
   * Replaces the content with `json` (already serialized) atomically; resolves once it is durable,
   * except for the directory entry (see {@link Volume.sync}).
   */
  write(name: string, json: string): Promise<void>;
  /** Deletes a shard; absent is fine. */
  remove(name: string): Promise<void>;
  /** Makes earlier renames and deletions durable (fsync of the directory). */
  sync(): Promise<void>;
  /** Shard names present (the manifest excluded). */
  list(): Promise<string[]>;
  /** Deletes what an interrupted write left behind; returns how many. */
  removeTemporaries(): Promise<number>;
  /** The file behind log `no`, for error messages. */
  describeLog(no: number): string;
  /** Numbers of the log files present, ascending. */
  logs(): Promise<number[]>;
  /** The bytes of log `no`, or null when absent. */
  readLog(no: number): Promise<Uint8Array | null>;
  /**
   * Appends `bytes` to log `no` (creating it) and resolves once they are durable (fdatasync), and for a
   * new file its directory entry too. Never called again before the previous call settled.
   */
  appendLog(no: number, bytes: Uint8Array): Promise<void>;
  /** Deletes log `no`; absent is fine. */
  removeLog(no: number): Promise<void>;
  /** Releases what the volume holds open (the log being appended to); called once the store is closed. */
  close(): Promise<void>;
}

/** How a log file is named in `onFileWrite` and in file names: `wal-000001`. */
export function logName(no: number): string {
  return `wal-${String(no).padStart(6, '0')}`;
}

/** True for a valid shard name. */
export function isShardName(name: string): boolean {
  return name !== MANIFEST && /^[a-z][a-z0-9-]*$/.test(name);
}

/** Parses a file's text; a `store_corrupt` StoreError naming the file when it is not JSON. */
export function parseStoreFile(text: string | null, file: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('store_corrupt', `Store file ${file} is not valid JSON (${reason})`, { file, cause: error });
  }
}
