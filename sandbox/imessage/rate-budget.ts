const HOUR_MS = 3_600_000;

interface Window {
  startedAt: number;
  used: number;
}

/** messages.dev's per-key hourly request budget, as a fixed window opened by the key's first request. */
export class RateBudget {
  readonly #limit: number;
  readonly #windows = new Map<string, Window>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts one request; returns the ms until the window resets when the key is over budget, else undefined. */
  take(key: string, now: number): number | undefined {
    let window = this.#windows.get(key);
    if (!window || now >= window.startedAt + HOUR_MS) {
      window = { startedAt: now, used: 0 };
      this.#windows.set(key, window);
    }
    if (window.used >= this.#limit) return window.startedAt + HOUR_MS - now;
    window.used += 1;
    return undefined;
  }
}
