import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config-schema.js';
import {
  queueSnapshot,
  retryDeadLetters,
  type QueueSnapshot,
  type RetryRequest,
  type RetryResult,
} from '../../server/queue-view.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import type { Store } from '../../store/store.js';

/**
 * The queue read from the store's files, for when the daemon is not running. The store's lock makes this
 * safe: a running daemon makes the open fail (`store_locked`), and one starting meanwhile is refused the same
 * way until we close, a moment later. Never creates a store where there is none.
 */
export async function withStore<T>(
  config: Config,
  log: Logger,
  use: (store: Store | undefined) => Promise<T>,
): Promise<T> {
  if (!(await exists(config.store.path))) return use(undefined);
  const store = await openLowdbStore({
    path: config.store.path,
    // The daemon's retention: opening prunes, and a shorter default would drop links the config keeps.
    linkRetentionDays: config.store.retentionDays,
    pruneIntervalMs: 0,
    logger: log,
  });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The snapshot of a stopped daemon's store (an empty one when there is no store yet). */
export function storeSnapshot(store: Store | undefined, now: number): QueueSnapshot {
  return queueSnapshot(store?.effects.list() ?? [], now);
}

/**
 * Re-queues dead letters in a stopped daemon's store, as the runner would (fresh age, no attempts, no
 * backoff), and commits: the next start picks them up with the other pending effects, in id order.
 */
export async function retryInStore(store: Store | undefined, request: RetryRequest, now: number): Promise<RetryResult> {
  if (!store) return { retried: [], unknown: 'ids' in request ? [...request.ids] : [], notDead: [] };
  const result = retryDeadLetters(request, store.effects, (id) =>
    Boolean(store.effects.update(id, { deadAt: null, attempts: 0, notBefore: null, createdAt: now })),
  );
  if (result.retried.length > 0) await store.commit();
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    // Anything else (no permission) is for the open to report.
    return (error as { code?: unknown }).code !== 'ENOENT';
  }
}
