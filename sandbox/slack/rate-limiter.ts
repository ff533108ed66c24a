import type { PostMessageLimit } from './types.js';

/** A request that arrives this close before the announced end of a Retry-After still counts as on time (timer jitter). */
const TOLERANCE_MS = 10;
const EPSILON = 1e-9;

export type RateDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Integer seconds, at least 1 (what goes in Retry-After). */
      retryAfterSec: number;
      /** The caller had been told to wait and did not. */
      violation: boolean;
    };

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** End of the Retry-After window last announced for this key. */
  blockedUntil: number;
}

/**
 * A token bucket per key (a channel): `burst` requests back to back, refilled at `count` per `perMs`. Over it the
 * answer is 429 with an integer Retry-After; a request before that window ends is a violation and is refused again
 * (the window is not extended, so a client that waits as told always gets through).
 */
export class RateLimiter {
  readonly #limit: Required<PostMessageLimit>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: Required<PostMessageLimit>) {
    this.#limit = limit;
  }

  take(key: string, now: number): RateDecision {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updatedAt: now, blockedUntil: 0 };
    this.#buckets.set(key, bucket);
    if (now < bucket.blockedUntil - TOLERANCE_MS) {
      return {
        allowed: false,
        retryAfterSec: Math.max(1, Math.ceil((bucket.blockedUntil - now) / 1000)),
        violation: true,
      };
    }
    // Within the tolerance, count as if the window had fully passed, so an on-time client is never refused.
    const at = Math.max(now, bucket.blockedUntil);
    const ratePerMs = this.#limit.count / this.#limit.perMs;
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + Math.max(0, at - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = Math.max(bucket.updatedAt, at);
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return { allowed: true };
    }
    const retryAfterSec = Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
    bucket.blockedUntil = now + retryAfterSec * 1000;
    return { allowed: false, retryAfterSec, violation: false };
  }
}
