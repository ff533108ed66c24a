import { QueueClosedError } from './queue-closed-error.js';

/** A set of wake-up callbacks; whoever changes the state the sleepers wait on calls them all. */
export type WakeSet = Set<() => void>;

interface PendingSleep {
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly wakeSets: readonly WakeSet[];
  readonly wake: () => void;
  readonly reject: (error: Error) => void;
}

// setTimeout treats longer delays as 1 ms; callers re-check the clock after waking anyway.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Every wait of the queues goes through here (setTimeout, so node:test's mock timers drive it), which lets `close()`
 * clear every timer at once.
 */
export class Sleeper {
  readonly #pending = new Set<PendingSleep>();
  #closed = false;

  /**
   * Resolves after `ms` (Infinity: only on a wake-up) or as soon as any of `wakeSets` is notified; rejects with a
   * QueueClosedError when the sleeper is closed.
   */
  sleep(ms: number, wakeSets: readonly WakeSet[] = []): Promise<void> {
    if (this.#closed) return Promise.reject(new QueueClosedError());
    return new Promise<void>((resolve, reject) => {
      const entry: PendingSleep = {
        timer: undefined,
        wakeSets,
        wake: () => {
          this.#forget(entry);
          resolve();
        },
        reject,
      };
      if (Number.isFinite(ms)) entry.timer = setTimeout(entry.wake, Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms))));
      for (const set of wakeSets) set.add(entry.wake);
      this.#pending.add(entry);
    });
  }

  /** Clears every timer and rejects every pending sleep; later sleeps reject at once. */
  close(): void {
    this.#closed = true;
    for (const entry of [...this.#pending]) {
      this.#forget(entry);
      entry.reject(new QueueClosedError());
    }
  }

  #forget(entry: PendingSleep): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    for (const set of entry.wakeSets) set.delete(entry.wake);
    this.#pending.delete(entry);
  }
}
