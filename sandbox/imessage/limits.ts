import { RetryWindows } from '../shared/retry-windows.js';
import type { Recorder } from '../shared/recorder.js';
import { SimApiError } from './errors.js';
import type { Params } from './params.js';
import { RateBudget } from './rate-budget.js';
import type { RecordedRequest, SendsPerLineLimit } from './types.js';

/** The writes that send something from a line, limited by `sendsPerLine`. */
const SEND_ROUTES: ReadonlySet<string> = new Set(['POST /messages', 'POST /audio-messages', 'POST /reactions']);

/** Accepted sends per key in a sliding window of `perMs`. */
class SlidingWindow {
  readonly #limit: SendsPerLineLimit;
  readonly #sent = new Map<string, number[]>();

  constructor(limit: SendsPerLineLimit) {
    this.#limit = limit;
  }

  /** Ms until another send from `key` fits, or undefined when one fits now (nothing is counted). */
  waitMs(key: string, now: number): number | undefined {
    const recent = this.#recent(key, now);
    if (recent.length < this.#limit.count) return undefined;
    const oldestThatMustExpire = recent[recent.length - this.#limit.count] ?? now;
    return Math.max(1, oldestThatMustExpire + this.#limit.perMs - now);
  }

  /** Counts one accepted send. */
  count(key: string, now: number): void {
    this.#sent.set(key, [...this.#recent(key, now), now]);
  }

  #recent(key: string, now: number): number[] {
    return (this.#sent.get(key) ?? []).filter((at) => at > now - this.#limit.perMs);
  }
}

export interface LimitDeps {
  hourlyBudget: number;
  sendsPerLine: SendsPerLineLimit | false;
  retryAfterFormat: 'seconds' | 'http-date';
  now: () => number;
  /** Where requests that ignored an announced Retry-After are recorded. */
  violations: Recorder<RecordedRequest>;
}

/**
 * messages.dev's limits: the per-key hourly budget, the optional per-line send limit, and the Retry-After windows
 * they announce (a request inside one is a violation, recorded and refused again).
 */
export class ApiLimits {
  readonly #deps: LimitDeps;
  readonly #budget: RateBudget;
  readonly #sends: SlidingWindow | undefined;
  readonly #windows = new RetryWindows();

  constructor(deps: LimitDeps) {
    this.#deps = deps;
    this.#budget = new RateBudget(deps.hourlyBudget);
    this.#sends = deps.sendsPerLine === false ? undefined : new SlidingWindow(deps.sendsPerLine);
  }

  /** Counts one request against the key's hourly budget; throws the 429 when it is spent. */
  takeBudget(apiKey: string, record: RecordedRequest): void {
    const waitMs = this.#budget.take(apiKey, this.#deps.now());
    if (waitMs !== undefined)
      throw this.rateLimited(`budget:${apiKey}`, waitMs, 'Hourly request limit reached.', record);
  }

  /**
   * For a send route (`route` is 'METHOD /path'), the line key it counts against when `sendsPerLine` is on;
   * throws the 429 when the line has no room. Call `countSend` once the send was accepted.
   */
  checkSend(route: string, body: Params, record: RecordedRequest): string | undefined {
    const from = body['from'];
    if (!this.#sends || !SEND_ROUTES.has(route) || typeof from !== 'string') return undefined;
    const key = `line:${from}`;
    const waitMs = this.#sends.waitMs(key, this.#deps.now());
    if (waitMs !== undefined) throw this.rateLimited(key, waitMs, 'Too many messages sent from this line.', record);
    return key;
  }

  countSend(key: string): void {
    this.#sends?.count(key, this.#deps.now());
  }

  /**
   * The 429 `rate_limit_exceeded` for limit `key`: Retry-After in the configured format, never earlier than
   * `waitMs`. A request that came back inside a window announced for the same key is recorded as a violation.
   */
  rateLimited(key: string, waitMs: number, message: string, record: RecordedRequest): SimApiError {
    const now = this.#deps.now();
    if (this.#windows.isInside(key, now)) this.#deps.violations.push(record);
    const retryAfter = formatRetryAfter(waitMs, now, this.#deps.retryAfterFormat);
    this.#windows.announce(key, announcedEnd(retryAfter, now));
    return new SimApiError(429, 'rate_limit_error', 'rate_limit_exceeded', message, undefined, {
      'Retry-After': retryAfter,
    });
  }
}

/** A Retry-After header value for a wait, in the configured form: whole seconds (at least 1, rounded up) or a date. */
export function formatRetryAfter(waitMs: number, now: number, format: 'seconds' | 'http-date'): string {
  if (format === 'http-date') return new Date(now + waitMs).toUTCString();
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

/** When a Retry-After value tells the client it may come back (a date has whole seconds only). */
function announcedEnd(retryAfter: string, now: number): number {
  return /^\d+$/.test(retryAfter) ? now + Number(retryAfter) * 1000 : Date.parse(retryAfter);
}
