import type { WaitReason } from './queue-metrics.js';
import type { RateLimit } from './rate-limit.js';
import { shapeRateLimit } from './rate-limit.js';
import type { SendPriority } from './send-queue-types.js';
import type { WakeSet } from './sleeper.js';
import { WindowLimiter } from './window-limiter.js';

/** Something that keeps an item from starting now. */
export interface Blocker {
  readonly throttle: Throttle;
  /** 'pause': a Retry-After or backoff; 'tokens': the limit is used up; 'yield': a poll letting a send go first. */
  readonly kind: 'pause' | 'tokens' | 'yield';
  /** Milliseconds until this blocker is gone; Infinity for 'yield' (it lifts when the throttle notifies). */
  readonly waitMs: number;
  readonly reason: WaitReason;
}

/**
 * The pacing state of one destination or one shared bucket: an optional sliding-window limit plus a pause (set by a
 * 429 or a backoff). A shared bucket also tracks the sends waiting for its tokens, so polls can let them go first.
 */
export class Throttle {
  readonly name: string;
  readonly limiter: WindowLimiter | undefined;
  /** Tokens a poll must leave behind. */
  readonly pollReserve: number;
  /** Woken whenever a send stops waiting for this throttle's tokens. */
  readonly wakeSet: WakeSet = new Set();
  #pausedUntil = 0;
  #pauseReason: WaitReason = 'retry_after';
  #waitingSends = 0;

  constructor(name: string, limit: RateLimit | undefined, pollReserve?: number) {
    this.name = name;
    this.limiter = limit === undefined ? undefined : new WindowLimiter(shapeRateLimit(limit, name));
    const capacity = this.limiter?.capacity ?? 1;
    this.pollReserve = Math.min(capacity - 1, Math.max(0, pollReserve ?? Math.ceil(capacity / 10)));
  }

  /** Nothing of this throttle starts before `until`; an earlier pause never shortens a later one. */
  pause(until: number, reason: WaitReason): void {
    if (until > this.#pausedUntil) {
      this.#pausedUntil = until;
      this.#pauseReason = reason;
    }
  }

  /** Appends to `out` what keeps an item of `priority` from starting at `now`. */
  collectBlockers(now: number, priority: SendPriority, countTokens: boolean, out: Blocker[]): void {
    if (this.#pausedUntil > now) {
      out.push({ throttle: this, kind: 'pause', waitMs: this.#pausedUntil - now, reason: this.#pauseReason });
    }
    if (!countTokens || this.limiter === undefined) return;
    if (priority === 'poll' && this.#waitingSends > 0) {
      out.push({ throttle: this, kind: 'yield', waitMs: Number.POSITIVE_INFINITY, reason: 'pacing' });
      return;
    }
    const waitMs = this.limiter.waitMs(now, priority === 'poll' ? this.pollReserve + 1 : 1);
    if (waitMs > 0) out.push({ throttle: this, kind: 'tokens', waitMs, reason: 'pacing' });
  }

  /** Records a call starting now. */
  take(now: number): void {
    this.limiter?.take(now);
  }

  /** Marks a send as waiting for this throttle's tokens (polls yield meanwhile). */
  addWaitingSend(): void {
    this.#waitingSends += 1;
  }

  /** The send stopped waiting (call `wakeWaiters` once the caller has taken its tokens or marked itself again). */
  removeWaitingSend(): void {
    this.#waitingSends -= 1;
  }

  /** Wakes the polls yielding to sends of this throttle so they look again. */
  wakeWaiters(): void {
    for (const wake of [...this.wakeSet]) wake();
  }

  /** True when forgetting this throttle would change nothing. */
  isIdle(now: number): boolean {
    return this.#pausedUntil <= now && this.#waitingSends === 0 && (this.limiter?.isIdle(now) ?? true);
  }
}
