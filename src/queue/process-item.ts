import type { Logger } from 'pino';
import { computeExponentialBackoffMs, computeJitteredBackoffMs } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { classifySendError } from './classify-error.js';
import type { SendErrorClass } from './classify-error.js';
import type { Destination, QueueItem } from './destination.js';
import type { FailedItem, PauseBook, ReconcileVerdict, RetryPolicy } from './send-queue-types.js';
import { waitForTurn } from './wait-turn.js';
import type { TurnContext } from './wait-turn.js';

export interface ItemContext extends TurnContext {
  readonly retry: RetryPolicy;
  readonly rateLimitBackoff: BackoffPolicy;
  readonly reconcileDelayMs: number;
  readonly random: () => number;
  readonly onFailed: ((item: FailedItem, error: unknown) => void) | undefined;
  readonly pauses: PauseBook | undefined;
}

interface Progress {
  /** Calls of `run`, 429s included. */
  attempts: number;
  /** Failed attempts that count against `maxAttempts`. */
  failures: number;
  /** 429s without Retry-After so far, for their own backoff. */
  rateLimits: number;
  mode: 'run' | 'reconcile';
  /** The outcome_unknown error being reconciled: what the item fails with if reconciling does not settle it. */
  unknownError: unknown;
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The item ends with `error`, already logged, counted and reported. */
interface Failure {
  readonly error: unknown;
}

/**
 * Runs one item to its end while it holds its destination's slot: waits its turn, calls it, and on failure pauses,
 * retries, reconciles or fails it. Resolves with the call's value; rejects with the error that ended it.
 */
export async function processItem<T>(ctx: ItemContext, destination: Destination, item: QueueItem<T>): Promise<T> {
  const progress: Progress = { attempts: 0, failures: 0, rateLimits: 0, mode: 'run', unknownError: undefined };
  const log = ctx.log.child({ destination: destination.key, itemId: item.id, label: item.label });
  for (;;) {
    const pacing = progress.mode === 'run';
    const startedAt = await waitForTurn(ctx, destination, item, pacing);
    const outcome = await callOnce(item, progress);
    const answeredAt = ctx.now();
    if (pacing) destination.own.answered(startedAt, answeredAt);
    for (const bucket of destination.shared) bucket.answered(startedAt, answeredAt);
    let failure: Failure | undefined;
    if (outcome.ok && progress.mode === 'run') return succeed(ctx, log, destination, progress, outcome.value as T);
    if (outcome.ok) {
      const verdict = outcome.value as ReconcileVerdict<T>;
      if (verdict.outcome === 'applied') {
        log.info({ attempt: progress.attempts }, 'Send reconciled as applied');
        return succeed(ctx, log, destination, progress, verdict.value);
      }
      failure = handleVerdict(ctx, log, destination, item, progress, verdict.outcome);
    } else {
      failure = handleError(ctx, log, destination, item, progress, outcome.error);
    }
    if (failure !== undefined) throw failure.error;
  }
}

async function callOnce<T>(item: QueueItem<T>, progress: Progress): Promise<Settled<T | ReconcileVerdict<T>>> {
  try {
    if (progress.mode === 'run') {
      // Durable "attempted" first: a crash during the call then leads to a reconcile, not a blind resend.
      await item.beforeAttempt?.();
      progress.attempts += 1;
      return { ok: true, value: await item.task.run() };
    }
    // processItem enters reconcile mode only when the task has a reconcile.
    const reconcile = item.task.reconcile ?? (() => Promise.resolve({ outcome: 'unknown' } as const));
    return { ok: true, value: await reconcile() };
  } catch (error) {
    // Something that is not an Error (a thrown string) is wrapped so the item always rejects with an Error.
    return { ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) };
  }
}

function succeed<T>(ctx: ItemContext, log: Logger, destination: Destination, progress: Progress, value: T): T {
  ctx.metrics.sent.inc({ destination: destination.key });
  log.debug({ attempt: progress.attempts }, 'Send delivered');
  return value;
}

function handleVerdict(
  ctx: ItemContext,
  log: Logger,
  destination: Destination,
  item: QueueItem<unknown>,
  progress: Progress,
  outcome: 'not-applied' | 'unknown',
): Failure | undefined {
  if (outcome === 'unknown') {
    return fail(ctx, log, item, progress, progress.unknownError, 'outcome_unknown', 'Send outcome still unknown');
  }
  log.info({ attempt: progress.attempts }, 'Send reconciled as not applied');
  progress.mode = 'run';
  return retryLater(ctx, log, destination, item, progress, progress.unknownError, 'outcome_unknown');
}

function handleError(
  ctx: ItemContext,
  log: Logger,
  destination: Destination,
  item: QueueItem<unknown>,
  progress: Progress,
  error: unknown,
): Failure | undefined {
  const sorted = classifySendError(error, item.task.idempotent ?? false);
  // A reconcile that fails for good leaves the original question open: fail with the outcome_unknown error.
  const failWith = progress.mode === 'run' ? error : progress.unknownError;
  const failCode = progress.mode === 'run' ? sorted.code : 'outcome_unknown';
  switch (sorted.kind) {
    case 'rate_limited':
      pauseForRateLimit(ctx, log, destination, progress, sorted, error);
      return undefined;
    case 'outcome_unknown':
      if (progress.mode === 'reconcile') break;
      if (item.task.reconcile === undefined) {
        return fail(ctx, log, item, progress, error, sorted.code, 'Send failed');
      }
      progress.mode = 'reconcile';
      progress.unknownError = error;
      destination.own.pause(ctx.now() + ctx.reconcileDelayMs, 'backoff');
      log.warn(
        { attempt: progress.attempts, waitMs: ctx.reconcileDelayMs, code: sorted.code, err: error },
        'Send outcome unknown, reconciling',
      );
      return undefined;
    case 'permanent':
      return fail(ctx, log, item, progress, failWith, failCode, 'Send failed', error);
    case 'transient':
      break;
  }
  return retryLater(ctx, log, destination, item, progress, error, sorted.code);
}

/** Counts a failed attempt and schedules the next one after a jittered backoff, or fails the item when out of tries. */
function retryLater(
  ctx: ItemContext,
  log: Logger,
  destination: Destination,
  item: QueueItem<unknown>,
  progress: Progress,
  error: unknown,
  code: string,
): Failure | undefined {
  progress.failures += 1;
  if (progress.failures >= ctx.retry.maxAttempts) {
    // While reconciling, the open question is still whether the first call landed.
    const failWith = progress.mode === 'reconcile' ? progress.unknownError : error;
    const failCode = progress.mode === 'reconcile' ? 'outcome_unknown' : code;
    // Still transient: whoever queued it (the effect runner) tries again later, so this is a warning.
    return fail(ctx, log, item, progress, failWith, failCode, 'Send failed after retries', error, 'warn');
  }
  const waitMs = computeJitteredBackoffMs(progress.failures, ctx.retry, ctx.random);
  destination.own.pause(ctx.now() + waitMs, 'backoff');
  ctx.metrics.retries.inc({ destination: destination.key });
  log.warn(
    { attempt: progress.attempts, failures: progress.failures, waitMs, code, err: error },
    'Send failed, retrying',
  );
  return undefined;
}

function pauseForRateLimit(
  ctx: ItemContext,
  log: Logger,
  destination: Destination,
  progress: Progress,
  sorted: SendErrorClass,
  error: unknown,
): void {
  progress.rateLimits += 1;
  const told = sorted.retryAfterMs;
  const waitMs = told ?? computeExponentialBackoffMs(progress.rateLimits, ctx.rateLimitBackoff);
  // A limit the platform says is global holds every destination drawing from the shared buckets, whatever the
  // destination's own scope: pausing only this one would let the others' sends meet it too.
  const bucketScope = (destination.scope === 'bucket' || sorted.global === true) && destination.shared.length > 0;
  const targets = bucketScope ? destination.shared : [destination.own];
  const now = ctx.now();
  const until = now + waitMs;
  // Refused after a burst: this destination allows none. One call per interval from now on, not slower.
  const learned = bucketScope ? undefined : destination.own.learnFromRateLimit(now);
  for (const target of targets) {
    target.pause(until, told === undefined ? 'backoff' : 'retry_after');
    if (told !== undefined) ctx.pauses?.record(target.name, until);
  }
  ctx.metrics.rateLimited.inc({ destination: destination.key });
  ctx.metrics.retries.inc({ destination: destination.key });
  log.warn(
    {
      attempt: progress.attempts,
      waitMs,
      retryAfterGiven: told !== undefined,
      scope: bucketScope ? 'bucket' : 'destination',
      ...(learned ? { learned } : {}),
      paused: targets.map((target) => target.name),
      code: sorted.code,
      err: error,
    },
    'Send rate limited',
  );
}

/** Logs, counts and reports the failure; returns what the item rejects with. */
function fail(
  ctx: ItemContext,
  log: Logger,
  item: QueueItem<unknown>,
  progress: Progress,
  error: unknown,
  code: string,
  message: string,
  lastError: unknown = error,
  level: 'warn' | 'error' = 'error',
): Failure {
  ctx.metrics.failures.inc({ destination: item.destination, code });
  log[level](
    { attempt: progress.attempts, code, err: error, ...(lastError === error ? {} : { lastErr: lastError }) },
    message,
  );
  if (ctx.onFailed !== undefined) {
    const failed: FailedItem = {
      destination: item.destination,
      id: item.id,
      label: item.label,
      priority: item.priority,
      attempts: progress.attempts,
      code,
    };
    try {
      ctx.onFailed(failed, error);
    } catch (hookError) {
      log.error({ err: hookError }, 'onFailed hook threw');
    }
  }
  return { error };
}
