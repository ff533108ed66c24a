import type { ThreadRef } from '../../src/core/bridge.js';

/** Discord shows a typing indicator for about 10 seconds; one forward per 8 seconds keeps it alive without waste. */
export const typingIntervalMs = 8_000;

/**
 * Forwards "someone is typing" at most once per `intervalMs` per thread, so a member typing a long answer costs
 * one request per interval against the phone side's hourly budget, not one per keystroke burst.
 */
export function debounceTyping(
  forward: (thread: ThreadRef) => void,
  now: () => number,
  intervalMs = typingIntervalMs,
): (thread: ThreadRef) => void {
  const last = new Map<string, number>();
  return (thread) => {
    const at = now();
    for (const [key, when] of last) if (at - when >= intervalMs) last.delete(key);
    if (last.has(thread.thread)) return;
    last.set(thread.thread, at);
    forward(thread);
  };
}
