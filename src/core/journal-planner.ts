import type { Logger } from 'pino';
import type { Journal, JournalEntry } from '../store/store.js';
import { conversationId, type Ingress } from './model.js';
import type { PlanOutcome } from './plan-team.js';

export interface JournalPlannerDeps {
  readonly journal: Journal;
  /**
   * Turns one event into effects, synchronously and without remote calls (the effects do the calls), so
   * that the entry's completion and its effects are recorded in the same step and commit together.
   * `parked`: not placeable yet (its thread is being created); the entry stays in the journal.
   */
  readonly plan: (ingress: Ingress) => PlanOutcome;
  readonly log: Logger;
}

/**
 * Takes journaled events to the router in journal order, the order they were acknowledged in. Each event
 * is planned into effects and leaves the journal in one synchronous step, so a crash either finds the event
 * still in the journal (it is planned again after the restart) or its effects in the store, never neither.
 *
 * A parked event stays in the journal, durable, and is looked at again only when something that may place
 * it happened (`retryParked`): it then goes before any newer event, so the order is kept.
 */
export class JournalPlanner {
  readonly #deps: JournalPlannerDeps;
  readonly #parked = new Set<number>();
  #frozen = false;
  #planning = false;
  #again = false;

  constructor(deps: JournalPlannerDeps) {
    this.#deps = deps;
  }

  /** Plans every event still in the journal (left by a previous run, or journaled since). */
  planPending(): number {
    if (this.#frozen) return 0;
    if (this.#planning) {
      // Asked again from inside a plan: one more pass once this one ends.
      this.#again = true;
      return 0;
    }
    this.#planning = true;
    let count = 0;
    try {
      do {
        this.#again = false;
        count += this.#pass();
      } while (this.#again);
    } finally {
      this.#planning = false;
    }
    return count;
  }

  /** A thread was linked, or a thread creation ended: parked events may be placeable now. */
  retryParked(): void {
    if (this.#parked.size === 0) return;
    this.#parked.clear();
    this.planPending();
  }

  /** Events waiting for their thread. */
  get parked(): number {
    return this.#parked.size;
  }

  /** From now on nothing more is planned (shutdown): new entries stay in the journal for the next start. */
  freeze(): void {
    this.#frozen = true;
  }

  #pass(): number {
    let count = 0;
    for (const entry of inCustomerOrder(this.#deps.journal.pending())) {
      if (entry.kind !== 'ingress' || this.#parked.has(entry.seq)) continue;
      let outcome: PlanOutcome;
      try {
        outcome = this.#deps.plan(entry.payload as Ingress);
      } catch (error) {
        // A bug, not weather: the entry stays, to be planned again by a fixed version.
        this.#deps.log.error({ err: error, seq: entry.seq }, 'Could not plan a journaled event');
        continue;
      }
      if (outcome === 'parked') {
        this.#parked.add(entry.seq);
        continue;
      }
      this.#deps.journal.complete(entry.seq);
      count++;
    }
    return count;
  }
}

/**
 * Journal order, except that a conversation's texts from the phone are taken in the order the customer sent
 * them: a webhook refused during a restart comes again only after a later one may have been taken in, and both
 * may wait here together (for their thread). Other entries keep their places.
 */
export function inCustomerOrder(entries: readonly JournalEntry[]): JournalEntry[] {
  const texts = new Map<string, { index: number; entry: JournalEntry; sentAt: number }[]>();
  entries.forEach((entry, index) => {
    const text = phoneTextOf(entry);
    if (!text) return;
    const list = texts.get(text.conversation) ?? [];
    list.push({ index, entry, sentAt: text.sentAt });
    texts.set(text.conversation, list);
  });
  const ordered = [...entries];
  for (const list of texts.values()) {
    const sorted = [...list].sort((a, b) => a.sentAt - b.sentAt || a.entry.seq - b.entry.seq);
    list.forEach(({ index }, n) => (ordered[index] = sorted[n]!.entry));
  }
  return ordered;
}

/** A text from the phone: its conversation and when it was sent. */
function phoneTextOf(entry: JournalEntry): { conversation: string; sentAt: number } | undefined {
  if (entry.kind !== 'ingress') return undefined;
  const event = (entry.payload as Ingress).event;
  if (event.kind !== 'message' || event.origin.bridge !== 'imessage' || !event.origin.conversation) return undefined;
  return { conversation: conversationId(event.origin.conversation), sentAt: event.sentAt };
}
