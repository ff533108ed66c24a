import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BackoffPolicy } from './backoff.js';
import type { RateLimit } from './rate-limit.js';
import type { ServerBudget } from './throttle.js';

/** In a shared bucket, 'send' items are served before 'poll' items. */
export type SendPriority = 'send' | 'poll';

/** What a reconcile found out about a call whose outcome was unknown. */
export type ReconcileVerdict<T> =
  /** The call took effect; `value` stands in for what `run` would have returned (e.g. the message id found). */
  | { readonly outcome: 'applied'; readonly value: T }
  /** The call certainly did not take effect: it is safe to run it again. */
  | { readonly outcome: 'not-applied' }
  /** Still cannot tell: the item fails with the outcome_unknown error and is never resent. */
  | { readonly outcome: 'unknown' };

/** One outbound platform call, queued behind the earlier calls to the same destination. */
export interface SendTask<T> {
  /** Short description for logs and `onFailed` (`message msg_123`, `outbox poll`); never a message body. */
  readonly label: string;
  /** Default 'send'. Polls yield to waiting sends and leave a reserve in shared buckets. */
  readonly priority?: SendPriority;
  /**
   * True when running the call twice has the same effect as once (a GET, a Discord post with an enforced nonce):
   * a connection lost mid-request is then retried instead of treated as an unknown outcome. Default false.
   */
  readonly idempotent?: boolean;
  /**
   * Makes the call, once. Called again only after a 429, a retryable error, or a reconcile that said
   * 'not-applied'. Must throw a BridgeError (RateLimitedError for 429, code 'outcome_unknown' when the request may
   * have landed) rather than swallow failures.
   */
  readonly run: () => Promise<T>;
  /**
   * Looks up whether a call that failed with 'outcome_unknown' took effect (e.g. GET /v1/outbox?id=). Called after
   * `reconcileDelayMs`, drawing from the destination's shared buckets but not its pacing. Must not resend anything.
   * Without it an unknown outcome fails the item at once.
   */
  readonly reconcile?: () => Promise<ReconcileVerdict<T>>;
}

/** Who a RateLimitedError pauses: the destination alone, or every shared bucket the destination draws from. */
export type RateLimitScope = 'destination' | 'bucket';

/** How one destination is paced; asked for once, when the destination is first used. */
export interface DestinationConfig {
  /** Pacing of this destination alone. Default: none. */
  readonly limit?: RateLimit;
  /** Names of shared buckets (keys of `SendQueuesOptions.buckets`) each call also draws a token from. */
  readonly buckets?: readonly string[];
  /**
   * What a 429 pauses. 'bucket' pauses every bucket in `buckets` (every destination drawing from them waits);
   * it falls back to 'destination' when there are none. Default 'destination'.
   */
  readonly rateLimitScope?: RateLimitScope;
}

/** A token bucket shared by several destinations (a messages.dev API key, Discord's global limit). */
export interface BucketConfig {
  readonly limit: RateLimit;
  /**
   * Tokens kept for sends: a poll starts only while more than this many are left and no send is waiting for this
   * bucket. Default: a tenth of the bucket's burst, rounded up, and always less than the burst.
   */
  readonly pollReserve?: number;
}

/**
 * Where Retry-After pauses are kept so that a restarted process honours the ones its predecessor was told about
 * (a platform counts a request inside an announced window against the client, whoever sent it).
 */
export interface PauseBook {
  /** Until when (Unix ms) `name` (a destination key or a shared bucket's name) was told to wait, if it was. */
  until(name: string): number | undefined;
  /** `name` was told to wait until `until`. */
  record(name: string, until: number): void;
}

/** The retry schedule for transient failures. */
export interface RetryPolicy extends BackoffPolicy {
  /** Failed attempts (transient errors, reconciles that said 'not-applied') before the item fails for good. */
  readonly maxAttempts: number;
}

/** The item that failed for good, as `onFailed` sees it. */
export interface FailedItem {
  readonly destination: string;
  readonly id: number;
  readonly label: string;
  readonly priority: SendPriority;
  /** Calls of `run` made, 429s included. */
  readonly attempts: number;
  /** The BridgeError code, or 'unexpected' for an error that is not a BridgeError. */
  readonly code: string;
}

export interface SendQueuesOptions {
  readonly log: Logger;
  /** Where the threadline_queue_* metrics are registered (not the global registry). */
  readonly registry: Registry;
  /** Configuration per destination key. Default: `resolveDefaultDestination` (pacing by key prefix). */
  readonly destinations?: (key: string) => DestinationConfig;
  /** Shared buckets by name. */
  readonly buckets?: Readonly<Record<string, BucketConfig>>;
  /**
   * The clock, in milliseconds. Default Date.now, which node:test's mock timers control. A process may pass a
   * monotonic clock (`() => performance.timeOrigin + performance.now()`): sub-millisecond and immune to wall-clock
   * steps, so a pause can never end early in real time.
   */
  readonly now?: () => number;
  /** Returns a number in [0, 1); drives the backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** Transient failures. Default: base 500 ms, cap 30 s, 8 attempts. */
  readonly retry?: Partial<RetryPolicy>;
  /** 429s that came without a Retry-After. Default: base 1 s, cap 5 min, no jitter. */
  readonly rateLimitBackoff?: Partial<BackoffPolicy>;
  /** Wait after an outcome_unknown before calling `reconcile`. Default 2,000 ms. */
  readonly reconcileDelayMs?: number;
  /**
   * Called once when an item fails for good (never for a QueueClosedError), just before its promise rejects with
   * `error`, so the router can post a delivery-failed note. Must not throw; a throw is logged and ignored.
   */
  readonly onFailed?: (item: FailedItem, error: unknown) => void;
  /** Keeps Retry-After pauses across restarts; read when a destination opens and by `restorePauses`. */
  readonly pauses?: PauseBook;
}

/** Per-destination FIFO send queues with pacing, Retry-After, retries and reconciliation. */
export interface SendQueues {
  /**
   * Queues `task` behind every earlier task of `destination` and settles with its result: the value of `run` (or of
   * an 'applied' reconcile), or the error that ended it for good. Rejects with QueueClosedError after `close()`.
   */
  enqueue<T>(destination: string, task: SendTask<T>): Promise<T>;
  /** Resolves once every queue is idle, including items queued while draining. */
  drain(): Promise<void>;
  /** Stops every timer; items not finished reject with QueueClosedError. A call already running is not cut off. */
  close(): void;
  /** Items of `destination` queued or running. */
  depth(destination: string): number;
  /**
   * What the platform said of `destination`'s budget in a response (Discord's `X-RateLimit-*` headers): the
   * destination is paced by it, exactly, until its window resets.
   */
  observe(destination: string, budget: ServerBudget): void;
  /** Applies the pauses in `SendQueuesOptions.pauses` to every open destination and shared bucket (after it opens). */
  restorePauses(): void;
}
