/** How many of the latest records a timeout error lists, so a long run does not bury the message. */
const SHOWN_ON_TIMEOUT = 30;

/** What `Recorder.waitFor` waits for and how long. */
export interface RecorderWaitOptions {
  /** Rejects after this many ms without a match. */
  timeoutMs: number;
  /** Only records at or after this index count (e.g. `recorder.items.length` read earlier). Default 0. */
  since?: number;
  /** Names what was awaited in the timeout error, e.g. 'call chat.postMessage'. */
  what: string;
}

/** Anything whose pending waits can be failed at once when a simulator closes. */
export interface WaitCanceller {
  /** Rejects every pending wait with `reason`; records stay readable. */
  cancelWaits(reason: string): void;
}

interface Waiter<T> {
  test: (item: T, index: number) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** An append-only record list that can be awaited for a matching entry (no polling). */
export class Recorder<T> implements WaitCanceller {
  readonly items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();
  readonly #describe: (item: T) => string;

  /** `describe` renders one record for timeout errors (keep it short: no bodies). */
  constructor(describe: (item: T) => string) {
    this.#describe = describe;
  }

  /** Appends a record and resolves every pending wait it matches. */
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
  waitFor(test: (item: T) => boolean, options: RecorderWaitOptions): Promise<T> {
    const since = options.since ?? 0;
    const matches = (item: T, index: number): boolean => index >= since && test(item);
    const found = this.items.find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.what}; ${this.#seen(since)}`));
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

  #seen(since: number): string {
    const window = this.items.slice(since);
    const shown = window.slice(-SHOWN_ON_TIMEOUT).map(this.#describe).join(', ') || 'nothing';
    return window.length > SHOWN_ON_TIMEOUT ? `last ${SHOWN_ON_TIMEOUT} recorded: ${shown}` : `recorded: ${shown}`;
  }
}

/** Fails the pending waits of every recorder (the simulator is closing). */
export function cancelAllWaits(recorders: readonly WaitCanceller[], reason: string): void {
  for (const recorder of recorders) recorder.cancelWaits(reason);
}
