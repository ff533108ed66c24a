import type { ServerResponse } from 'node:http';
import { Recorder } from './recorder.js';
import { RetryWindows } from './retry-windows.js';

/** How a simulated outage answers the platform's API requests. */
export type OutageMode = '503' | 'hang' | '429';

/**
 * A simulated outage of a platform's Web/REST API (the same on every simulator: `sim.startOutage(spec)`).
 *
 * While it lasts, every API request (Slack Web API methods, Discord REST under /api/v10, messages.dev endpoints
 * under its base path) is answered without being processed: no state changes, no events, no rate-limit or budget
 * accounting, no injected fault consumed. Event connections stay up and keep working (Slack Socket Mode and HTTP
 * event deliveries, the Discord gateway, messages.dev webhooks), and so do the simulator's human helpers
 * (postAsUser, postAsMember, simulateInbound, …), file/blob downloads and upload URLs. Every refused request is
 * recorded with the simulator's other requests (status 0 for 'hang') and in `sim.outageRefusals`.
 */
export interface OutageSpec {
  /**
   * - `'503'`: HTTP 503 with the platform's usual error body (Slack `{ok:false,error:'service_unavailable'}`,
   *   Discord `{message:'Service Unavailable',code:0}`, messages.dev's envelope with code `service_unavailable`).
   * - `'hang'`: the request is held open and never answered; when the outage ends (or the simulator closes) the
   *   held connections are destroyed, so the client sees a reset, never an answer.
   * - `'429'`: the platform's rate-limit answer with `Retry-After: retryAfterSec` (Slack `ratelimited`, Discord's
   *   429 with X-RateLimit-* headers and scope 'user', messages.dev `rate_limit_exceeded`). A request that comes
   *   back inside an announced Retry-After window counts in `sim.violations`.
   */
  mode: OutageMode;
  /**
   * Ends the outage by itself after this many ms of real time (not the simulator's clock); the timer is cleared by
   * `endOutage()` and `close()`. Without it the outage lasts until `endOutage()`: tests stay clock-free.
   */
  durationMs?: number;
  /** `'429'` only: the Retry-After in whole seconds. Default 1. */
  retryAfterSec?: number;
  /**
   * Requests that keep working during the outage, by name: Slack method names (`'apps.connections.open'`),
   * Discord route templates or paths after /api/v10 (`'/gateway/bot'`, `'/channels/:channel/messages'`),
   * messages.dev paths without the base path (`'/lines'`); each may also be written `'METHOD name'`
   * (`'GET /gateway/bot'`).
   */
  except?: string[];
}

/** The part of an outage a simulator's lifecycle drives (start, end, close). */
export interface OutageSwitch {
  readonly active: boolean;
  start(spec: OutageSpec): void;
  end(): void;
  /** Ends the outage (destroying held requests) and fails pending waits; the simulator is closing. */
  close(reason: string): void;
}

/** What a refused request gets told in '429' mode. */
export interface OutageRateLimit {
  retryAfterSec: number;
  /** The client came back inside a Retry-After window this outage had announced for the same key. */
  violation: boolean;
}

const DEFAULT_RETRY_AFTER_SEC = 1;

/**
 * The state of one simulator's outage: the active spec and its timer, the requests held open in 'hang' mode,
 * the Retry-After windows announced in '429' mode, and the record of refused requests (of type `T`).
 */
export class Outage<T> implements OutageSwitch {
  /** Every request the outage refused (held ones included), in arrival order. */
  readonly refused: Recorder<T>;
  #spec: OutageSpec | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #held = new Set<ServerResponse>();
  readonly #windows = new RetryWindows();

  /** `describe` renders one refused record for timeout errors of `refused.waitFor`. */
  constructor(describe: (item: T) => string) {
    this.refused = new Recorder<T>(describe);
  }

  get active(): boolean {
    return this.#spec !== undefined;
  }

  /** Starts an outage (replacing one already running, whose held requests are destroyed). */
  start(spec: OutageSpec): void {
    if (!['503', 'hang', '429'].includes(spec.mode)) throw new TypeError(`Unknown outage mode ${String(spec.mode)}`);
    const retryAfter = spec.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC;
    if (!Number.isInteger(retryAfter) || retryAfter < 1) {
      throw new TypeError('outage retryAfterSec must be a whole number of seconds, at least 1');
    }
    this.end();
    this.#spec = { ...spec, retryAfterSec: retryAfter, except: [...(spec.except ?? [])] };
    if (spec.durationMs !== undefined) this.#timer = setTimeout(() => this.end(), spec.durationMs);
  }

  /** Ends the outage: clears its timer, destroys the held requests and forgets its Retry-After windows. */
  end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#spec = undefined;
    this.#windows.clear();
    for (const res of this.#held) res.destroy();
    this.#held.clear();
  }

  close(reason: string): void {
    this.end();
    this.refused.cancelWaits(reason);
  }

  /** The outage a request known by any of `names` falls under, or undefined when it is served normally. */
  refuses(names: readonly string[]): Readonly<OutageSpec> | undefined {
    const spec = this.#spec;
    if (!spec) return undefined;
    return names.some((name) => spec.except?.includes(name)) ? undefined : spec;
  }

  /** Records a refused request. */
  record(item: T): void {
    this.refused.push(item);
  }

  /** '429': the Retry-After to announce for `key` at `now`, and whether the client ignored an earlier one. */
  rateLimit(key: string, now: number): OutageRateLimit {
    const retryAfterSec = this.#spec?.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC;
    const violation = this.#windows.isInside(key, now);
    this.#windows.announce(key, now + retryAfterSec * 1000);
    return { retryAfterSec, violation };
  }

  /** 'hang': keeps the response open until the outage ends or the client gives up. */
  hold(res: ServerResponse): void {
    this.#held.add(res);
    res.once('close', () => this.#held.delete(res));
  }
}
