import type { PauseBook } from '../queue/send-queue-types.js';
import type { CursorStore } from '../store/store.js';

const prefix = 'pause:';

/**
 * Retry-After pauses kept in the store's cursors (`pause:<name>` → until), so a process restarted after a crash
 * waits out what the platforms told the one before it. Attached once the store is open; until then it remembers
 * nothing (nothing is sent before that). A pause is written with the store's next commit.
 */
export class StoredPauses implements PauseBook {
  #cursors: CursorStore | undefined;

  attach(cursors: CursorStore): void {
    this.#cursors = cursors;
  }

  until(name: string): number | undefined {
    return this.#cursors?.get(prefix + name)?.lastSentAt;
  }

  record(name: string, until: number): void {
    if (!this.#cursors || (this.until(name) ?? 0) >= until) return;
    this.#cursors.set(prefix + name, { lastSentAt: Math.ceil(until) });
  }
}
