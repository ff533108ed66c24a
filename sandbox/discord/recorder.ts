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

  /** The first record (already present or still to come) that passes `test`. */
  waitFor(test: (item: T, index: number) => boolean, timeoutMs: number, what: string): Promise<T> {
    const found = this.items.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.items.slice(-30).map(this.#describe).join(', ') || 'nothing';
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last recorded: ${seen}`));
      }, timeoutMs);
      const waiter: Waiter<T> = { test, resolve, reject, timer };
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
