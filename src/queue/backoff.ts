/** An exponential backoff schedule: `baseMs` for the first wait, doubling, never above `capMs`. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** The n-th wait (n ≥ 1) of a plain exponential backoff: min(cap, base × 2^(n−1)). */
export function computeExponentialBackoffMs(n: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, n - 1));
}

/**
 * The n-th wait (n ≥ 1) with "full jitter": uniform in [0, min(cap, base × 2^(n−1))), so clients that failed
 * together do not retry together. `random` returns a number in [0, 1) like Math.random.
 */
export function computeJitteredBackoffMs(n: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * computeExponentialBackoffMs(n, policy));
}
