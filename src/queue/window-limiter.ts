import type { WindowShape } from './rate-limit.js';

/**
 * A sliding-window log: remembers the start time of each call still inside the window, so it can say exactly when
 * the next call may start. Memory is bounded by the capacity.
 */
export class WindowLimiter {
  readonly capacity: number;
  readonly windowMs: number;
  readonly #starts: number[] = [];
  #head = 0;

  constructor(shape: WindowShape) {
    this.capacity = shape.capacity;
    this.windowMs = shape.windowMs;
  }

  /** Calls that could start right now. */
  available(now: number): number {
    this.#forget(now);
    return this.capacity - this.#inWindow();
  }

  /** Milliseconds until `needed` calls could start (0 when they can now; Infinity when never). */
  waitMs(now: number, needed = 1): number {
    if (needed > this.capacity) return Number.POSITIVE_INFINITY;
    this.#forget(now);
    const excess = this.#inWindow() - (this.capacity - needed);
    if (excess <= 0) return 0;
    // The excess oldest starts must leave the window; the last of them leaves at its start + windowMs.
    const start = this.#starts[this.#head + excess - 1] ?? now;
    return start + this.windowMs - now;
  }

  /** Records a call starting at `now`. The caller checked `waitMs` first. */
  take(now: number): void {
    this.#forget(now);
    this.#starts.push(now);
  }

  /** Moves one call's start from `from` to `now` (counted from its answer); nothing when no start is at `from`. */
  moveStart(from: number, now: number): void {
    if (!(from < now)) return;
    for (let index = this.#starts.length - 1; index >= this.#head; index -= 1) {
      if (this.#starts[index] !== from) continue;
      // Every start is at or before now, so the moved one goes last and the log stays in order.
      this.#starts.splice(index, 1);
      this.#starts.push(now);
      return;
    }
  }

  /** Calls that started in the last `ms` before `now` (at most a window back). */
  startsWithin(now: number, ms: number): number {
    this.#forget(now);
    let count = 0;
    for (let index = this.#starts.length - 1; index >= this.#head; index -= 1) {
      if ((this.#starts[index] ?? 0) <= now - ms) break;
      count += 1;
    }
    return count;
  }

  /** True when no call is inside the window any more, so the limiter's state can be dropped. */
  isIdle(now: number): boolean {
    this.#forget(now);
    return this.#inWindow() === 0;
  }

  #inWindow(): number {
    return this.#starts.length - this.#head;
  }

  #forget(now: number): void {
    while (this.#head < this.#starts.length && (this.#starts[this.#head] ?? now) + this.windowMs <= now) {
      this.#head += 1;
    }
    // Compact now and then so the array stays about the size of the window.
    if (this.#head > 64 && this.#head * 2 > this.#starts.length) {
      this.#starts.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
