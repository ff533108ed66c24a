import { hostname as osHostname, uptime } from 'node:os';
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { isErrno } from './atomic-text-file.js';
import { StoreError } from './store-error.js';

/** What a lock file holds: who has the store open. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the owner took the lock. */
  readonly startedAt: string;
}

/** An exclusive hold on a store's files; `release()` removes the lock file. */
export interface StoreLock {
  /** The lock file, e.g. `data/threadline.lock`. */
  readonly path: string;
  /** Stops the heartbeat and removes the lock file (if it is still ours). Safe to call twice. */
  release(): Promise<void>;
}

export interface StoreLockOptions {
  /** Where a takeover of a stale lock is logged. */
  readonly logger?: Logger | undefined;
  /** The lock file's mtime is refreshed this often, so another host can tell a live owner. Default 15 s. */
  readonly heartbeatMs?: number;
  /** A lock from another host whose heartbeat is older than this is stale. Default 60 s. */
  readonly foreignStaleMs?: number;
}

/** Lock files this process holds: its own pid in a lock file is then really live. */
const heldHere = new Set<string>();

/** A lock file being written right now may be empty for a moment: look again this often, this many times. */
const unreadableRetries = { count: 10, delayMs: 50 };
/** The takeover guard is held for milliseconds; one older than this was left by a crash. */
const guardStaleMs = 10_000;

/** `data/threadline.json` → `data/threadline.lock`. */
export function lockPathOf(storePath: string): string {
  const absolute = resolve(storePath);
  return join(dirname(absolute), `${basename(absolute, extname(absolute))}.lock`);
}

/**
 * Takes the exclusive lock of the embedded store at `storePath`: two processes writing the same lowdb
 * files would corrupt them. The lock is a file created with O_EXCL holding `{pid, hostname, startedAt}`.
 * One left by a process that is gone (same host: its pid is dead, or it predates the last boot, or the pid
 * is ours but not held by this process, as after a container restart; another host: no heartbeat for a
 * minute) is stale and taken over, with a warning. A live one throws a `store_locked` StoreError.
 */
export async function acquireStoreLock(storePath: string, options: StoreLockOptions = {}): Promise<StoreLock> {
  const path = lockPathOf(storePath);
  const me: LockOwner = { pid: process.pid, hostname: osHostname(), startedAt: new Date().toISOString() };
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw new StoreError('store_io', `Cannot create store directory ${dirname(path)}`, { file: path, cause: error });
  });
  if (heldHere.has(path)) throw lockedError(storePath, path, me);
  // A few rounds: the lock found may vanish (its owner closed) between our look and our create.
  for (let round = 0; !(await createExclusive(path, me)); round++) {
    const found = await readOwner(path);
    if (found === 'gone') {
      if (round < 3) continue;
      throw lockedError(storePath, path, undefined);
    }
    const owner = found === 'unreadable' ? undefined : found;
    const staleBecause = await whyStale(path, owner, options);
    if (staleBecause === undefined) throw lockedError(storePath, path, owner);
    await takeOver(path, found, me, storePath);
    options.logger?.warn(
      { lock: path, owner: owner ?? 'unreadable', reason: staleBecause },
      'Took over a stale store lock',
    );
    break;
  }
  heldHere.add(path);
  return holding(path, me, options.heartbeatMs ?? 15_000, options.logger);
}

/** Creates the lock file only if none exists; false when one does. */
async function createExclusive(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw new StoreError('store_io', `Cannot create store lock ${path}`, { file: path, cause: error });
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

/** The owner a lock file names; `unreadable` when, after a few looks, it holds no owner (half written). */
async function readOwner(path: string): Promise<LockOwner | 'unreadable' | 'gone'> {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 'gone';
      throw new StoreError('store_io', `Cannot read store lock ${path}`, { file: path, cause: error });
    }
    const owner = parseOwner(text);
    if (owner) return owner;
    if (attempt >= unreadableRetries.count) return 'unreadable';
    await new Promise((done) => setTimeout(done, unreadableRetries.delayMs));
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(value.pid) && typeof value.hostname === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid!, hostname: value.hostname, startedAt: value.startedAt };
    }
  } catch {
    // not a lock we wrote (or half written): judged by age below
  }
  return undefined;
}

/** Why the lock is stale, or undefined when its owner may still be running. */
async function whyStale(
  path: string,
  owner: LockOwner | undefined,
  options: StoreLockOptions,
): Promise<string | undefined> {
  const heartbeatAgeMs = Date.now() - (await mtimeMs(path));
  if (!owner) return heartbeatAgeMs > guardStaleMs ? 'the lock file is unreadable' : undefined;
  if (owner.hostname !== osHostname()) {
    // Its pid means nothing here: a live owner refreshes the file's mtime (a replaced container has a new hostname).
    const limit = options.foreignStaleMs ?? 60_000;
    return heartbeatAgeMs > limit
      ? `no heartbeat from host ${owner.hostname} for ${Math.round(heartbeatAgeMs / 1000)} s`
      : undefined;
  }
  const bootedAt = Date.now() - uptime() * 1000;
  // After a reboot its pid may belong to an unrelated process: a lock older than the boot cannot be live.
  if (Date.parse(owner.startedAt) < bootedAt - 60_000) return 'its owner started before the last boot';
  // Our own pid, but not a lock of this process: a previous life with the same pid (a restarted container).
  if (owner.pid === process.pid) return 'its pid is this process, which does not hold it';
  return isAlive(owner.pid) ? undefined : `process ${owner.pid} is not running`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return isErrno(error, 'EPERM');
  }
}

/**
 * Replaces a stale lock with ours. A guard file (O_EXCL) makes the check-and-replace atomic: without it,
 * two processes finding the same stale lock could each delete the other's fresh one.
 */
async function takeOver(
  path: string,
  stale: LockOwner | 'unreadable',
  me: LockOwner,
  storePath: string,
): Promise<void> {
  const guard = `${path}.takeover`;
  const staleOwner = stale === 'unreadable' ? undefined : stale;
  if (!(await createExclusive(guard, me))) {
    if (Date.now() - (await mtimeMs(guard)) <= guardStaleMs) throw lockedError(storePath, path, staleOwner);
    await unlink(guard).catch(() => undefined);
    if (!(await createExclusive(guard, me))) throw lockedError(storePath, path, staleOwner);
  }
  try {
    const now = await readOwner(path);
    if (now !== 'gone' && JSON.stringify(now) !== JSON.stringify(stale)) {
      throw lockedError(storePath, path, typeof now === 'string' ? undefined : now);
    }
    await unlink(path).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT')) throw error;
    });
    if (!(await createExclusive(path, me))) throw lockedError(storePath, path, undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** A file's mtime in Unix ms; 0 when it is gone (so it looks ancient). */
async function mtimeMs(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
}

function holding(path: string, me: LockOwner, heartbeatMs: number, logger: Logger | undefined): StoreLock {
  let warned = false;
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch((error: unknown) => {
      if (warned) return;
      warned = true;
      logger?.warn({ err: error, lock: path }, 'Cannot refresh the store lock');
    });
  }, heartbeatMs);
  // The lock alone keeps no process alive.
  heartbeat.unref();
  let released: Promise<void> | undefined;
  return {
    path,
    release() {
      released ??= (async () => {
        clearInterval(heartbeat);
        heldHere.delete(path);
        // Only our own lock: never remove one another process took over meanwhile.
        if (JSON.stringify(await readOwner(path)) === JSON.stringify(me)) {
          await unlink(path).catch(() => undefined);
        }
      })();
      return released;
    },
  };
}

function lockedError(storePath: string, path: string, owner: LockOwner | undefined): StoreError {
  const who =
    owner === undefined
      ? 'Another Threadline'
      : owner.pid === process.pid && owner.hostname === osHostname()
        ? `This process (pid ${owner.pid})`
        : `Another Threadline (pid ${owner.pid}${owner.hostname === osHostname() ? '' : ` on host ${owner.hostname}`}, since ${owner.startedAt})`;
  return new StoreError(
    'store_locked',
    `${who} has the store ${resolve(storePath)} open, and only one process may. Stop it first (to see its ` +
      `queue, \`threadline queue\` asks the running daemon instead). If no Threadline is running, delete ${path}.`,
    { file: path },
  );
}
