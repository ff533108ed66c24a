import { DiscordApiError } from './errors.js';

/** One rate-limit bucket a request counts against. */
export interface BucketSpec {
  /** Identifies the window, e.g. 'messages:<channel id>'. */
  key: string;
  limit: number;
  perMs: number;
  /** Sent as X-RateLimit-Bucket (Discord's opaque bucket hash). */
  hash: string;
  /** X-RateLimit-Scope on a 429. */
  scope: 'user' | 'shared';
}

export type RateDecision =
  { ok: true; headers: Record<string, string> } | { ok: false; error: DiscordApiError; violation: boolean };

interface Window {
  start: number;
  count: number;
  /** Until when a 429 told the client to wait (0 when none was sent in this window). */
  announcedUntil: number;
}

export const seconds = (ms: number): string => (Math.max(ms, 0) / 1000).toFixed(3);

/** Fixed windows that open with their first request, like Discord's buckets. */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();

  /**
   * Decides one request. `globalKey` (the bot token) counts against `globalPerSecond`; every spec must have room
   * or the request is refused and counts against nothing. The first spec's state goes into the X-RateLimit headers.
   */
  take(specs: BucketSpec[], globalKey: string | undefined, globalPerSecond: number | false, now: number): RateDecision {
    const global =
      globalKey !== undefined && globalPerSecond !== false ? this.#window(`global:${globalKey}`, 1000, now) : undefined;
    if (global && globalPerSecond !== false && global.count >= globalPerSecond) {
      return { ok: false, ...this.#refuseGlobal(global, now) };
    }
    const windows = specs.map((spec) => ({ spec, window: this.#window(spec.key, spec.perMs, now) }));
    const full = windows.find(({ spec, window }) => window.count >= spec.limit);
    if (full) return { ok: false, ...this.#refuse(full.spec, full.window, now) };
    if (global) global.count += 1;
    for (const { window } of windows) window.count += 1;
    const first = windows[0];
    return { ok: true, headers: first ? this.#headers(first.spec, first.window, now) : {} };
  }

  #window(key: string, perMs: number, now: number): Window {
    let window = this.#windows.get(key);
    if (!window || now >= window.start + perMs) {
      window = { start: now, count: 0, announcedUntil: 0 };
      this.#windows.set(key, window);
    }
    return window;
  }

  #headers(spec: BucketSpec, window: Window, now: number): Record<string, string> {
    const reset = window.start + spec.perMs;
    return {
      'X-RateLimit-Limit': String(spec.limit),
      'X-RateLimit-Remaining': String(Math.max(spec.limit - window.count, 0)),
      'X-RateLimit-Reset': seconds(reset),
      'X-RateLimit-Reset-After': seconds(reset - now),
      'X-RateLimit-Bucket': spec.hash,
    };
  }

  #refuse(spec: BucketSpec, window: Window, now: number): { error: DiscordApiError; violation: boolean } {
    const reset = window.start + spec.perMs;
    const violation = now < window.announcedUntil;
    window.announcedUntil = reset;
    const waitMs = reset - now;
    const headers = {
      'Retry-After': retryAfterHeader(waitMs),
      'X-RateLimit-Limit': String(spec.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': seconds(reset),
      'X-RateLimit-Reset-After': seconds(waitMs),
      'X-RateLimit-Bucket': spec.hash,
      'X-RateLimit-Scope': spec.scope,
    };
    return { error: rateLimited(waitMs, false, headers), violation };
  }

  #refuseGlobal(window: Window, now: number): { error: DiscordApiError; violation: boolean } {
    const reset = window.start + 1000;
    const violation = now < window.announcedUntil;
    window.announcedUntil = reset;
    const waitMs = reset - now;
    const headers = {
      'Retry-After': retryAfterHeader(waitMs),
      'X-RateLimit-Global': 'true',
      'X-RateLimit-Scope': 'global',
    };
    return { error: rateLimited(waitMs, true, headers), violation };
  }
}

/** Discord's Retry-After header is whole seconds, rounded up (the body's retry_after has the decimals). */
export function retryAfterHeader(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

/** The 429 error. discord.js reads only the headers; the body is for humans and other clients. */
export function rateLimited(waitMs: number, global: boolean, headers: Record<string, string>): DiscordApiError {
  const error = new DiscordApiError(429, 0, 'You are being rate limited.', undefined, headers);
  error.extra = { retry_after: Number(seconds(waitMs)), global };
  return error;
}
