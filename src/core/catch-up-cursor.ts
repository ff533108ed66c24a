import type { CursorStore } from '../store/store.js';

/**
 * A team platform's catch-up cursor: a low-water mark. After a restart, catch-up reads the threads back
 * from this time (less a margin for clock skew): nothing that happened before it can be missing, because it
 * never passes an event that was received but is not journaled yet. It is not "the last event seen": an
 * earlier event still on its way to the journal holds it back.
 */
export class CatchUpCursor {
  readonly #cursors: CursorStore;
  readonly #key: string;
  /** Times of events received and not yet journaled, with how many share each time. */
  readonly #inFlight = new Map<number, number>();
  #newestDurable: number | undefined;

  constructor(cursors: CursorStore, key: string) {
    this.#cursors = cursors;
    this.#key = key;
  }

  /** Where catch-up must start after a restart (Unix ms); undefined before the first event ever. */
  get since(): number | undefined {
    return this.#cursors.get(this.#key)?.lastSentAt;
  }

  /**
   * An event that happened at `at` (Unix ms) is being journaled. Call the returned function once it is
   * durable; until then the cursor stays at or before `at`. (An event that could not be journaled is never
   * ended: the cursor then waits for catch-up to find it after the next restart.)
   */
  begin(at: number): () => void {
    this.#inFlight.set(at, (this.#inFlight.get(at) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(at) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(at, left);
      else this.#inFlight.delete(at);
      this.#newestDurable = Math.max(this.#newestDurable ?? at, at);
      this.#advance();
    };
  }

  #advance(): void {
    const oldestInFlight = this.#inFlight.size > 0 ? Math.min(...this.#inFlight.keys()) : undefined;
    const mark =
      oldestInFlight === undefined
        ? this.#newestDurable
        : Math.min(oldestInFlight, this.#newestDurable ?? oldestInFlight);
    if (mark === undefined) return;
    const current = this.#cursors.get(this.#key)?.lastSentAt;
    // Moves forward only: a late event older than the cursor is within catch-up's margin, or journaled now.
    if (current === undefined || mark > current) this.#cursors.set(this.#key, { lastSentAt: mark });
  }
}
