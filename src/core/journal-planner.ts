import type { Logger } from 'pino';
import type { Journal } from '../store/store.js';
import type { Ingress } from './model.js';

export interface JournalPlannerDeps {
  readonly journal: Journal;
  /**
   * Turns one event into effects, synchronously and without remote calls (the effects do the calls), so
   * that the entry's completion and its effects are recorded in the same step and commit together.
   */
  readonly plan: (ingress: Ingress) => void;
  readonly log: Logger;
}

/**
 * Takes journaled events to the router in journal order, the order they were acknowledged in. Each event
 * is planned into effects and leaves the journal in one synchronous step, so a crash either finds the event
 * still in the journal (it is planned again after the restart) or its effects in the store, never neither.
 */
export class JournalPlanner {
  readonly #deps: JournalPlannerDeps;
  #frozen = false;

  constructor(deps: JournalPlannerDeps) {
    this.#deps = deps;
  }

  /** Plans every event still in the journal (left by a previous run, or journaled since). */
  planPending(): number {
    if (this.#frozen) return 0;
    let count = 0;
    for (const entry of this.#deps.journal.pending()) {
      if (entry.kind !== 'ingress') continue;
      try {
        this.#deps.plan(entry.payload as Ingress);
      } catch (error) {
        // A bug, not weather: the entry stays, to be planned again by a fixed version.
        this.#deps.log.error({ err: error, seq: entry.seq }, 'Could not plan a journaled event');
        continue;
      }
      this.#deps.journal.complete(entry.seq);
      count++;
    }
    return count;
  }

  /** From now on nothing more is planned (shutdown): new entries stay in the journal for the next start. */
  freeze(): void {
    this.#frozen = true;
  }
}
