/** A request this close before the announced end of a Retry-After still counts as on time (timer jitter). */
export const RETRY_TOLERANCE_MS = 10;

/**
 * The Retry-After windows a simulator has announced, per limit key: a request for the same key that arrives
 * before the announced end is a violation (the client did not wait as told).
 */
export class RetryWindows {
  readonly #until = new Map<string, number>();

  /** Remembers that the client was told to wait for `key` until `untilMs` (the later end wins). */
  announce(key: string, untilMs: number): void {
    this.#until.set(key, Math.max(untilMs, this.#until.get(key) ?? 0));
  }

  /** True when `now` is inside the window announced for `key` (minus the jitter tolerance). */
  isInside(key: string, now: number): boolean {
    const until = this.#until.get(key);
    return until !== undefined && now < until - RETRY_TOLERANCE_MS;
  }

  clear(): void {
    this.#until.clear();
  }
}
