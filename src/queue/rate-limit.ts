import { ConfigError } from '../core/errors.js';

/**
 * A pacing limit: on average `count` calls per `perMs` milliseconds, with at most `burst` calls back to back.
 *
 * It is enforced as a sliding window: at most `burst` calls start in any window of `burst × perMs / count`
 * milliseconds. With `burst` left out (= `count`) that is literally "at most `count` in any `perMs`", the
 * strictest reading of a platform's limit, which a server enforcing a fixed window or a token bucket of the same
 * size accepts as well.
 */
export interface RateLimit {
  /** Calls allowed per `perMs` on average; a positive integer. */
  readonly count: number;
  /** The length of the period `count` refers to, in milliseconds. */
  readonly perMs: number;
  /** Calls that may start back to back after an idle spell; a positive integer. Default: `count`. */
  readonly burst?: number;
}

/** The capacity and window length of the sliding window that enforces `limit`. */
export interface WindowShape {
  readonly capacity: number;
  readonly windowMs: number;
}

/** Checks a limit and turns it into its sliding window; throws a ConfigError naming `path` when it is unusable. */
export function shapeRateLimit(limit: RateLimit, path: string): WindowShape {
  const capacity = limit.burst ?? limit.count;
  const problems: string[] = [];
  if (!Number.isInteger(limit.count) || limit.count < 1) problems.push('count must be a positive integer');
  if (!Number.isFinite(limit.perMs) || limit.perMs <= 0) problems.push('perMs must be a positive number');
  if (!Number.isInteger(capacity) || capacity < 1) problems.push('burst must be a positive integer');
  if (problems.length > 0) {
    throw new ConfigError(problems.map((message) => ({ path, message })));
  }
  return { capacity, windowMs: (capacity * limit.perMs) / limit.count };
}
