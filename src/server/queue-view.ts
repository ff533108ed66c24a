import type { DestinationStats } from '../core/effect-runner.js';
import type { Effect, EffectError } from '../store/store.js';

/**
 * What operators see of the effect queue (`GET /admin/queue`, `threadline queue`): per destination and per
 * effect, state and timing only. An effect's op carries customer text and ids, so nothing of it is
 * shown but its `kind`.
 */
export interface QueueSnapshot {
  /** Unix ms of the clock the snapshot was taken by; ages are counted from it. */
  readonly now: number;
  readonly destinations: readonly QueueDestination[];
  /** Pending effects and dead letters, in id order. */
  readonly effects: readonly QueueEffect[];
}

export interface QueueDestination {
  /** `slack:C0123…`, `discord:1122…`, `imessage:+1555…`, `imessage:outbox`. */
  readonly destination: string;
  readonly pending: number;
  readonly dead: number;
  /** Unix ms the oldest pending effect was created, or null. */
  readonly oldestPendingAt: number | null;
  /** Its effects fail and are being retried (for a stopped daemon: were, when it stopped). */
  readonly failing: boolean;
  /** Unix ms since when, when the running daemon knows it. */
  readonly failingSince: number | null;
  readonly lastError: QueueError | null;
}

export interface QueueEffect {
  readonly id: number;
  readonly destination: string;
  /** The op's kind: post, reply, mark, react, notice, track… */
  readonly kind: string;
  readonly state: 'pending' | 'dead';
  /** Unix ms; `delivery.maxAgeHours` counts from here (a retry restarts it). */
  readonly createdAt: number;
  readonly attempts: number;
  /** Not tried again before this Unix ms (a backoff), or null. */
  readonly notBefore: number | null;
  readonly deadAt: number | null;
  readonly lastError: QueueError | null;
}

/** An effect's last failure: code and message (messages never hold message bodies; capped anyway). */
export interface QueueError {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** The body of `POST /admin/queue/retry` and what a retry in the store is asked. */
export type RetryRequest = { readonly ids: readonly number[] } | { readonly all: true };

/** What a retry did: `unknown` lists every id not re-queued; `notDead` those of them that are pending. */
export interface RetryResult {
  readonly retried: readonly number[];
  readonly unknown: readonly number[];
  readonly notDead: readonly number[];
}

/** Longest error message kept in a snapshot. */
const maxMessage = 300;

/** The op's `kind` when it is a plain word, else `?`: nothing else of the op ever leaves the store. */
export function effectKind(op: unknown): string {
  const kind = typeof op === 'object' && op !== null ? (op as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(kind) ? kind : '?';
}

function queueError(error: EffectError | undefined): QueueError | null {
  if (!error) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const message = error.message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return {
    code: error.code,
    message: message.length > maxMessage ? `${message.slice(0, maxMessage - 1)}…` : message,
    at: error.at,
  };
}

/**
 * The snapshot of `effects`. With the running daemon's `stats` it also knows destinations with nothing
 * queued and since when one fails; without (the store of a stopped daemon) a destination counts as failing
 * when a pending effect of it had failed attempts.
 */
export function queueSnapshot(
  effects: readonly Effect[],
  now: number,
  stats?: readonly DestinationStats[],
): QueueSnapshot {
  const views: QueueEffect[] = effects.map((effect) => ({
    id: effect.id,
    destination: effect.destination,
    kind: effectKind(effect.op),
    state: effect.deadAt === undefined ? 'pending' : 'dead',
    createdAt: effect.createdAt,
    attempts: effect.attempts,
    notBefore: effect.notBefore ?? null,
    deadAt: effect.deadAt ?? null,
    lastError: queueError(effect.lastError),
  }));
  const names = new Set([...views.map((view) => view.destination), ...(stats ?? []).map((entry) => entry.destination)]);
  const destinations = [...names].sort().map((destination): QueueDestination => {
    const mine = views.filter((view) => view.destination === destination);
    const pending = mine.filter((view) => view.state === 'pending');
    const known = stats?.find((entry) => entry.destination === destination);
    const retrying = pending.filter((view) => view.attempts > 0 && view.lastError !== null);
    const failing = stats ? known?.failingSince !== undefined : retrying.length > 0;
    return {
      destination,
      pending: pending.length,
      dead: mine.length - pending.length,
      oldestPendingAt: pending.length > 0 ? Math.min(...pending.map((view) => view.createdAt)) : null,
      failing,
      failingSince: known?.failingSince ?? null,
      lastError: stats ? queueError(known?.lastError) : (retrying.at(-1)?.lastError ?? null),
    };
  });
  return { now, destinations, effects: views };
}

/**
 * Re-queues the dead letters asked for through `requeue` (the runner's, or a write to a stopped daemon's
 * store), in id order. Ids that are unknown or not dead letters are reported, never touched.
 */
export function retryDeadLetters(
  request: RetryRequest,
  effects: { get(id: number): Effect | undefined; list(): Effect[] },
  requeue: (id: number) => boolean,
): RetryResult {
  const ids =
    'all' in request
      ? effects.list().flatMap((effect) => (effect.deadAt === undefined ? [] : [effect.id]))
      : [...new Set(request.ids)].sort((a, b) => a - b);
  const retried: number[] = [];
  const unknown: number[] = [];
  const notDead: number[] = [];
  for (const id of ids) {
    const effect = effects.get(id);
    if (effect?.deadAt !== undefined && requeue(id)) {
      retried.push(id);
      continue;
    }
    unknown.push(id);
    if (effect) notDead.push(id);
  }
  return { retried, unknown, notDead };
}

/** Parses a retry request body; a string saying what is wrong when it is not one. */
export function parseRetryRequest(body: unknown): RetryRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected {"ids":[…]} or {"all":true}';
  const { ids, all } = body as { ids?: unknown; all?: unknown };
  if (all === true && ids === undefined) return { all: true };
  if (all !== undefined) return '"all" must be true, without "ids"';
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10_000)
    return '"ids" must be a list of 1 to 10000 effect ids';
  if (!ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) return '"ids" must be positive integers';
  return { ids: ids as number[] };
}
