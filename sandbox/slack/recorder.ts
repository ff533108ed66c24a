interface Waiter<T> {
  test: (item: T, index: number) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** An append-only record list that can be awaited for a matching entry (no polling). */
export class Recorder<T> {
  readonly items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();
  readonly #describe: (item: T) => string;

  constructor(describe: (item: T) => string) {
    this.#describe = describe;
  }

  push(item: T): void {
    const index = this.items.push(item) - 1;
    for (const waiter of this.#waiters) {
      if (waiter.test(item, index)) {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(item);
      }
    }
  }

  /** The first record at or after index `since` (already present or still to come) that passes `test`. */
  waitFor(test: (item: T) => boolean, options: { timeoutMs: number; since?: number; what: string }): Promise<T> {
    const since = options.since ?? 0;
    const matches = (item: T, index: number): boolean => index >= since && test(item);
    const found = this.items.find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.items.slice(since).map(this.#describe).join(', ') || 'nothing';
        reject(new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.what}; recorded: ${seen}`));
      }, options.timeoutMs);
      const waiter: Waiter<T> = { test: matches, resolve, reject, timer };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending wait (the simulator is closing). */
  cancelWaits(reason: string): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(reason));
    }
    this.#waiters.clear();
  }
}
