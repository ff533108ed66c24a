import type { EventEmitter } from 'node:events';
import type { DemoWorld } from './world.js';

/** Tells listeners that something changed, at most once per `settleMs` (a send touches several records at once). */
export interface LiveFeed {
  /** Calls `listener` after each settled burst of changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Detaches from the simulators and drops every listener. */
  close(): void;
}

/** The simulator events that change what the page shows. */
const watched: ReadonlyArray<readonly ['phone' | 'slack' | 'discord', readonly string[]]> = [
  ['phone', ['message', 'reaction', 'outbox']],
  ['slack', ['message', 'update', 'delete', 'reaction', 'ephemeral', 'file']],
  ['discord', ['message', 'update', 'delete', 'reaction', 'thread']],
];

export function watchWorld(world: DemoWorld, settleMs = 25): LiveFeed {
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      for (const listener of listeners) listener();
    }, settleMs);
  };
  const detach: Array<() => void> = [];
  for (const [name, events] of watched) {
    const emitter: EventEmitter = world[name];
    for (const event of events) {
      emitter.on(event, changed);
      detach.push(() => emitter.off(event, changed));
    }
  }
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearTimeout(timer);
      for (const off of detach) off();
      listeners.clear();
    },
  };
}
