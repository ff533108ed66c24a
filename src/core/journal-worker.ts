import type { Logger } from 'pino';
import type { Journal } from '../store/store.js';
import type { Ingress } from './model.js';

export interface JournalWorkerDeps {
  readonly journal: Journal;
  /** Applies one entry; must settle (never hang forever) and should not reject. */
  readonly route: (ingress: Ingress, replay: boolean) => Promise<void>;
  readonly log: Logger;
}

/**
 * Takes journaled work to the router, and removes an entry only when its work is done, so a crash
 * loses nothing: on start, every pending entry is replayed in order (dedupe and the links keep replays
 * from doubling effects).
 */
export class JournalWorker {
  readonly #deps: JournalWorkerDeps;
  readonly #inFlight = new Map<number, Promise<void>>();
  #frozen = false;

  constructor(deps: JournalWorkerDeps) {
    this.#deps = deps;
  }

  /** Replays what a previous run left pending. */
  replayPending(): number {
    const pending = this.#deps.journal.pending().filter((entry) => entry.kind === 'ingress');
    if (pending.length > 0) this.#deps.log.info({ count: pending.length }, 'Replaying journal');
    for (const entry of pending) this.#start(entry.seq, entry.payload as Ingress, true);
    return pending.length;
  }

  /** Starts work on a freshly journaled entry. */
  accept(seq: number, ingress: Ingress): void {
    this.#start(seq, ingress, false);
  }

  /** Resolves when every entry started so far is done. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  /**
   * From now on, entries that finish are left in the journal: during shutdown their work may have been
   * cut short (queues closed), so the next start redoes it (idempotently).
   */
  freeze(): void {
    this.#frozen = true;
  }

  /** Entries being worked on. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  #start(seq: number, ingress: Ingress, replay: boolean): void {
    if (this.#inFlight.has(seq) || this.#frozen) return;
    const work = this.#deps
      .route(ingress, replay)
      .catch((error: unknown) => this.#deps.log.error({ err: error, seq }, 'Journal entry failed'))
      .finally(() => {
        if (!this.#frozen) this.#deps.journal.complete(seq);
        this.#inFlight.delete(seq);
      });
    this.#inFlight.set(seq, work);
  }
}
