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

/** What a platform said of a destination's budget in its response headers (Discord's `X-RateLimit-*`). */
export interface ServerBudget {
  /** Calls the window allows in all (`X-RateLimit-Limit`). */
  readonly limit: number;
  /** Calls left in the current window (`X-RateLimit-Remaining`). */
  readonly remaining: number;
  /** Milliseconds until the window resets (`X-RateLimit-Reset-After`). */
  readonly resetAfterMs: number;
}

/**
 * The pacing state of one destination or one shared bucket: an optional sliding-window limit plus a pause (set by a
 * 429 or a backoff). A shared bucket also tracks the sends waiting for its tokens, so polls can let them go first.
 *
 * The limit starts as the platform's documented one, each call counted from its answer (see `answered`), and
 * learns: a 429 that follows calls let through as a burst means the platform allows no burst, so the rest goes one
 * call per interval (`learnFromRateLimit`); a platform that states its budget in response headers is followed
 * exactly while what it said holds (`observe`).
 */
export class Throttle {
  readonly name: string;
  limiter: WindowLimiter | undefined;
  #server: { remaining: number; resetAt: number; limit: number; seenAt: number } | undefined;
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
    if (!countTokens) return;
    const server = this.#serverAt(now);
    if (server) {
      // The platform's own count replaces our estimate while it holds.
      if (server.remaining <= 0)
        out.push({ throttle: this, kind: 'tokens', waitMs: server.resetAt - now, reason: 'pacing' });
      return;
    }
    if (this.limiter === undefined) return;
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
    const server = this.#serverAt(now);
    if (server) server.remaining -= 1;
  }

  /**
   * The platform stated the budget (response headers): follow it until the window resets. A destination has
   * one call in flight at a time, so the latest answer is exact.
   */
  observe(budget: ServerBudget, now: number): void {
    if (!(budget.limit > 0) || !(budget.remaining >= 0) || !(budget.resetAfterMs >= 0)) return;
    this.#server = {
      remaining: budget.remaining,
      resetAt: now + budget.resetAfterMs,
      limit: budget.limit,
      seenAt: now,
    };
  }

  /**
   * The call that took its turn at `startedAt` was answered: it counts from its answer. Platforms count a call
   * when it reaches them, somewhere between its send and its answer, and the gap between two sends shrinks at the
   * server when the first was slow to leave (a commit before the call, a busy event loop, the network): counting
   * from the send meets a 429 at exactly the documented rate, and a 429 with a whole-second Retry-After costs more
   * than one round trip per call ever does. It is this call's start that moves: a shared bucket has calls of
   * several destinations in flight at once.
   */
  answered(startedAt: number, now: number): void {
    if (!this.#server) this.limiter?.moveStart(startedAt, now);
  }

  /**
   * A 429 came: if the limit had let calls through back to back (a burst), the platform allows none, so one call
   * per interval from now on. Returns what it learned, if anything (it only ever narrows).
   */
  learnFromRateLimit(now: number): 'no burst' | undefined {
    const limiter = this.limiter;
    if (!limiter || this.#server) return undefined;
    return this.#learnNoBurst(now, limiter) ? 'no burst' : undefined;
  }

  #learnNoBurst(now: number, limiter: WindowLimiter): boolean {
    if (limiter.capacity <= 1) return false;
    const interval = limiter.windowMs / limiter.capacity;
    // Calls spaced at the average rate are not a burst: then the 429 is about something else (a shared
    // budget), and the pause alone answers it.
    if (limiter.startsWithin(now, interval) < 2) return false;
    this.limiter = new WindowLimiter({ capacity: 1, windowMs: interval });
    // The call that was refused stands as the last start, so the next one waits a full interval after it.
    this.limiter.take(now);
    return true;
  }

  /**
   * The stated budget of the current window. At a reset the platform grants a full window again: until its
   * next answer (which comes with the window's first call) that is assumed, the window as long as our own
   * limit's. Without answers for a minute, our own limit paces again.
   */
  #serverAt(now: number): { remaining: number; resetAt: number } | undefined {
    const server = this.#server;
    if (!server) return undefined;
    if (now - server.seenAt > 60_000) {
      this.#server = undefined;
      return undefined;
    }
    if (now >= server.resetAt) {
      const windowMs = this.limiter?.windowMs ?? 1_000;
      server.resetAt = now + windowMs;
      server.remaining = server.limit;
    }
    return server;
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
