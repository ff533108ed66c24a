import type { Logger } from 'pino';
import { runWithAttemptHook } from '../queue/attempt-scope.js';
import { classifySendError } from '../queue/classify-error.js';
import type { Effect, EffectError, Store } from '../store/store.js';
import type { BridgeId } from './model.js';
import type { EffectSink, PlannedEffect } from './router-context.js';

/** What the runner asks of the router. */
export interface EffectRunnerDeps {
  readonly store: Store;
  /** Applies one effect; resolves `{ laterMs }` to be asked again later, throws on failure. */
  readonly apply: (effect: Effect, replay: boolean) => Promise<{ readonly laterMs: number } | void>;
  /** The platforms an effect calls: it waits while any of them is not connected. */
  readonly bridgesOf: (effect: Effect) => readonly BridgeId[];
  readonly isReady: (bridge: BridgeId) => boolean;
  /** Plans what the team must see after `effect` failed for good (a ⚠️, a notice). */
  readonly onDead: (effect: Effect, reason: string) => void;
  readonly log: Logger;
  /** How long an effect keeps retrying before it fails visibly (`delivery.maxAgeHours`). */
  readonly maxAgeMs: number;
  /** Backoff after a transient failure: jittered, doubling from `baseMs`, never above `capMs`. */
  readonly retry?: { readonly baseMs: number; readonly capMs: number };
  readonly now?: () => number;
  /** In [0, 1), like Math.random (drives the jitter). */
  readonly random?: () => number;
  /**
   * When the work of an effect happened at its origin (a customer's text: when it was sent), for effects whose
   * lane must follow that order rather than the order they were added; undefined for the others. An effect added
   * late (its webhook was redelivered) goes before the effects of later texts that have not been attempted.
   */
  readonly orderOf?: (effect: Effect) => number | undefined;
  /**
   * After `start`, effects with an origin order wait this long before their first call: deliveries refused while
   * the process was down come again meanwhile and take their places (a text posted cannot be moved). Default 0.
   */
  readonly orderSettleMs?: number;
  /** How often lanes waiting for a bridge look again. Default 250 ms. */
  readonly readinessPollMs?: number;
  readonly events?: EffectEvents;
}

/** What the runner reports, for metrics. */
export interface EffectEvents {
  succeeded(effect: Effect): void;
  retried(effect: Effect, code: string): void;
  died(effect: Effect, code: string): void;
}

/** Pending work of one destination, for metrics and `/readyz`. */
export interface DestinationStats {
  readonly destination: string;
  readonly pending: number;
  /** Unix ms of the oldest pending effect's creation, when there is one. */
  readonly oldestCreatedAt: number | undefined;
  readonly dead: number;
  /** Since when its effects fail transiently (cleared by the next success). */
  readonly failingSince: number | undefined;
  readonly lastError: EffectError | undefined;
}

interface LaneState {
  readonly name: string;
  /** Ids of its effects not done, in order; the head runs. */
  readonly ids: number[];
  running: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Run the head now even if it was told to wait. */
  forced: boolean;
}

const defaultRetry = { baseMs: 1_000, capMs: 120_000 };

/**
 * Applies effects: one at a time per lane (a conversation on one platform), in id order, across retries
 * and restarts. A transient failure keeps the lane's head in place and retries it after a jittered backoff
 * (the lane waits, every other lane keeps flowing); a success on a platform wakes the lanes backing off
 * from it, so work resumes as soon as the platform is back. Past `maxAgeMs` (or on a failure retrying
 * cannot fix) an effect becomes a dead letter and the router is asked to make that visible. Before an
 * effect's first call that may change something, the effect is marked attempted and committed, so after a
 * crash only effects that were really in flight are reconciled (`replay`).
 */
export class EffectRunner implements EffectSink {
  readonly #deps: EffectRunnerDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #retry: { baseMs: number; capMs: number };
  readonly #lanes = new Map<string, LaneState>();
  /** Lanes backing off after a transient failure, by the platform that failed. */
  readonly #backingOff = new Map<string, Set<string>>();
  readonly #waitingForBridge = new Set<string>();
  readonly #failing = new Map<string, { since: number }>();
  /**
   * Effects marked attempted when they were added (they run at once): durable with the event's own
   * commit, so the first call needs no commit of its own. Their first run is not a replay.
   */
  readonly #premarked = new Set<number>();
  /** Every destination seen, so its series stays (at 0) once its work is done. Few: channels and lines. */
  readonly #destinations = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  #readinessTimer: ReturnType<typeof setInterval> | undefined;
  /** Until when effects with an origin order wait after the start (see `orderSettleMs`). */
  #settleUntil = 0;
  #started = false;
  #stopped = false;

  constructor(deps: EffectRunnerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#retry = deps.retry ?? defaultRetry;
  }

  /** Picks up every pending effect left in the store and starts applying. */
  start(): number {
    let count = 0;
    // Rebuilt from the store, which also holds whatever was added before the start.
    this.#lanes.clear();
    for (const effect of this.#deps.store.effects.states()) {
      this.#destinations.add(effect.destination);
      if (effect.deadAt !== undefined) continue;
      this.#laneOf(effect.lane).ids.push(effect.id);
      count++;
    }
    // The places effects added late were given, rebuilt the same way.
    for (const state of this.#lanes.values()) {
      for (let index = 1; index < state.ids.length; index++) this.#moveUp(state, index);
    }
    this.#started = true;
    this.#settleUntil = this.#now() + (this.#deps.orderSettleMs ?? 0);
    if (count > 0) this.#deps.log.info({ count, lanes: this.#lanes.size }, 'Resuming pending effects');
    for (const lane of this.#lanes.keys()) this.#pump(lane);
    return count;
  }

  add(planned: PlannedEffect): Effect {
    let effect = this.#deps.store.effects.append(planned);
    this.#destinations.add(effect.destination);
    const lane = this.#laneOf(effect.lane);
    lane.ids.push(effect.id);
    this.#moveUp(lane, lane.ids.length - 1);
    // Alone in an idle lane with its platforms up, it runs now: marked attempted in the commit that
    // records it, rather than in one more before its first call (a crash then costs one reconcile read).
    if (
      this.#started &&
      !this.#stopped &&
      this.#settlingUntil(effect, this.#now()) === undefined &&
      lane.ids.length === 1 &&
      !lane.running &&
      planned.notBefore === undefined
    ) {
      if (this.#deps.bridgesOf(effect).every((bridge) => this.#deps.isReady(bridge))) {
        effect = this.#deps.store.effects.update(effect.id, { attemptedAt: this.#now() }) ?? effect;
        this.#premarked.add(effect.id);
      }
    }
    // Scheduled after the planning step that added it: its siblings are recorded first.
    queueMicrotask(() => this.#pump(effect.lane));
    return effect;
  }

  pendingIn(lane: string): readonly Effect[] {
    const ids = this.#lanes.get(lane)?.ids ?? [];
    return ids.flatMap((id) => this.#deps.store.effects.get(id) ?? []);
  }

  wake(lane: string): void {
    const state = this.#lanes.get(lane);
    if (!state) return;
    state.forced = true;
    this.#clearTimer(state);
    this.#pump(lane);
  }

  /** A dead letter back in its lane (an operator's retry): fresh age, no attempts. */
  requeue(id: number): boolean {
    const effect = this.#deps.store.effects.get(id);
    if (!effect || effect.deadAt === undefined) return false;
    this.#deps.store.effects.update(id, {
      deadAt: null,
      attempts: 0,
      notBefore: null,
      createdAt: this.#now(),
    });
    const state = this.#laneOf(effect.lane);
    state.ids.push(id);
    state.ids.sort((a, b) => a - b);
    this.#pump(effect.lane);
    return true;
  }

  /** Stops starting effects; waits (at most `timeoutMs`) for those running. What is left stays pending. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#stopped = true;
    if (this.#readinessTimer) clearInterval(this.#readinessTimer);
    for (const state of this.#lanes.values()) this.#clearTimer(state);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = await Promise.race([
      Promise.all([...this.#running]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return finished;
  }

  /** Effects being applied right now. */
  get running(): number {
    return this.#running.size;
  }

  /** Pending work per destination (dead letters counted apart). */
  stats(): DestinationStats[] {
    const byDestination = new Map<string, { pending: number; oldest?: number; dead: number; last?: EffectError }>();
    for (const effect of this.#deps.store.effects.states()) {
      const entry = byDestination.get(effect.destination) ?? { pending: 0, dead: 0 };
      if (effect.deadAt !== undefined) entry.dead++;
      else {
        entry.pending++;
        entry.oldest = Math.min(entry.oldest ?? Number.POSITIVE_INFINITY, effect.createdAt);
        if (effect.lastError) entry.last = effect.lastError;
      }
      byDestination.set(effect.destination, entry);
    }
    for (const destination of [...this.#destinations, ...this.#failing.keys()]) {
      if (!byDestination.has(destination)) byDestination.set(destination, { pending: 0, dead: 0 });
    }
    return [...byDestination].map(([destination, entry]) => ({
      destination,
      pending: entry.pending,
      oldestCreatedAt: entry.oldest,
      dead: entry.dead,
      failingSince: this.#failing.get(destination)?.since,
      lastError: entry.last,
    }));
  }

  /**
   * Moves the effect at `index` before the effects of later origin that have not been attempted yet (never
   * before the running head, nor before anything already tried: its outcome may be on the platform).
   */
  #moveUp(state: LaneState, index: number): void {
    const orderOf = this.#deps.orderOf;
    if (!orderOf) return;
    const store = this.#deps.store.effects;
    const moving = store.get(state.ids[index]!);
    const at = moving && orderOf(moving);
    if (at === undefined) return;
    let place = index;
    while (place > (state.running ? 1 : 0)) {
      const before = store.get(state.ids[place - 1]!);
      const beforeAt = before && orderOf(before);
      if (!before || beforeAt === undefined || beforeAt <= at || before.attemptedAt !== undefined) break;
      place--;
    }
    if (place === index) return;
    const [id] = state.ids.splice(index, 1);
    state.ids.splice(place, 0, id!);
    // A new head: the wait armed for the old one is not its wait.
    if (place === 0) this.#clearTimer(state);
  }

  /** Until when `effect` waits after the start for late deliveries to take their places (see `orderSettleMs`). */
  #settlingUntil(effect: Effect, now: number): number | undefined {
    return effect.attemptedAt === undefined && this.#settleUntil > now && this.#deps.orderOf?.(effect) !== undefined
      ? this.#settleUntil
      : undefined;
  }

  #laneOf(name: string): LaneState {
    let state = this.#lanes.get(name);
    if (!state) {
      state = { name, ids: [], running: false, timer: undefined, forced: false };
      this.#lanes.set(name, state);
    }
    return state;
  }

  #pump(name: string): void {
    const state = this.#lanes.get(name);
    if (!state || state.running || !this.#started || this.#stopped) return;
    for (;;) {
      const id = state.ids[0];
      if (id === undefined) {
        this.#clearTimer(state);
        this.#lanes.delete(name);
        this.#waitingForBridge.delete(name);
        return;
      }
      const effect = this.#deps.store.effects.get(id);
      if (effect && effect.deadAt === undefined) {
        this.#consider(state, effect);
        return;
      }
      state.ids.shift();
    }
  }

  /** Runs the lane's head now, or arranges to look again when it may run. */
  #consider(state: LaneState, effect: Effect): void {
    const now = this.#now();
    const notReady = this.#deps.bridgesOf(effect).filter((bridge) => !this.#deps.isReady(bridge));
    const expired = now - effect.createdAt >= this.#deps.maxAgeMs;
    if (expired && (notReady.length > 0 || effect.attempts > 0)) {
      const reason =
        notReady.length > 0
          ? `${notReady.join(' and ')} could not be reached for ${hours(this.#deps.maxAgeMs)}`
          : `still failing after ${hours(this.#deps.maxAgeMs)} (${effect.lastError?.message ?? 'unknown error'})`;
      this.#die(state, effect, { code: effect.lastError?.code ?? 'timeout', message: reason, at: now });
      this.#pump(state.name);
      return;
    }
    if (notReady.length > 0) {
      this.#waitingForBridge.add(state.name);
      this.#pollReadiness();
      return;
    }
    this.#waitingForBridge.delete(state.name);
    const notBefore = Math.max(effect.notBefore ?? 0, this.#settlingUntil(effect, now) ?? 0);
    if (!state.forced && notBefore > now) {
      if (!state.timer) {
        state.timer = setTimeout(
          () => {
            state.timer = undefined;
            this.#pump(state.name);
          },
          Math.min(notBefore - now, 2 ** 31 - 1),
        );
        // A wait alone keeps no process alive (the daemon has its server for that).
        state.timer.unref?.();
      }
      return;
    }
    state.forced = false;
    this.#clearTimer(state);
    state.running = true;
    const run = this.#run(state, effect).finally(() => {
      this.#running.delete(run);
      state.running = false;
      this.#pump(state.name);
    });
    this.#running.add(run);
  }

  async #run(state: LaneState, effect: Effect): Promise<void> {
    const { store, log } = this.#deps;
    const replay = effect.attemptedAt !== undefined && !this.#premarked.delete(effect.id);
    const beforeAttempt = async () => {
      if (store.effects.get(effect.id)?.attemptedAt === undefined) {
        store.effects.update(effect.id, { attemptedAt: this.#now() });
      }
      await store.commit();
      // The commit that made this durable often acknowledges a webhook too: let that answer go out first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    let later: { readonly laterMs: number } | void;
    try {
      later = await runWithAttemptHook(beforeAttempt, () => this.#deps.apply(effect, replay));
    } catch (error) {
      if (this.#stopped && isShutdown(error)) return; // stays pending for the next start
      this.#failed(state, effect, error);
      return;
    }
    try {
      if (later) {
        store.effects.update(effect.id, { notBefore: this.#now() + later.laterMs });
        return;
      }
      store.effects.complete(effect.id);
      state.ids.shift();
      this.#succeeded(effect);
    } catch (error) {
      // Only a closed store fails here (a shutdown that did not wait): the effect is redone and reconciled.
      log.warn({ err: error, effect: effect.id }, 'Could not record the end of an effect');
    }
  }

  #failed(state: LaneState, effect: Effect, error: unknown): void {
    const { log } = this.#deps;
    if (isShutdown(error)) return; // the queues closed: the effect stays pending
    try {
      const sorted = classifySendError(error, true);
      const failure: EffectError = {
        code: sorted.code,
        message: error instanceof Error ? error.message : String(error),
        at: this.#now(),
      };
      if (sorted.kind === 'permanent') {
        this.#die(state, effect, failure);
        return;
      }
      this.#backOff(state, effect, failure);
      log.warn(
        { lane: state.name, effect: effect.id, destination: effect.destination, code: failure.code, err: error },
        'Effect failed, retrying',
      );
    } catch (recordError) {
      log.warn({ err: recordError, effect: effect.id }, 'Could not record the failure of an effect');
    }
  }

  #succeeded(effect: Effect): void {
    this.#deps.events?.succeeded(effect);
    const platform = platformOf(effect.destination);
    if (!this.#failing.delete(effect.destination)) return;
    this.#deps.log.info({ destination: effect.destination }, 'Destination recovered');
    // The platform answers again: lanes backing off from it try now instead of waiting out their backoff. Only
    // when a failing destination recovers: on every success, a lane whose own trouble persists would be retried
    // as often as the others succeed.
    const waiting = this.#backingOff.get(platform);
    if (!waiting || waiting.size === 0) return;
    this.#backingOff.delete(platform);
    for (const name of waiting) this.wake(name);
  }

  #backOff(state: LaneState, effect: Effect, failure: EffectError): void {
    const attempts = effect.attempts + 1;
    const ceiling = Math.min(this.#retry.capMs, this.#retry.baseMs * 2 ** (attempts - 1));
    // "Equal jitter": never less than half the ceiling, so a failing platform is not hammered.
    const delayMs = Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
    this.#deps.store.effects.update(effect.id, { attempts, notBefore: failure.at + delayMs, lastError: failure });
    if (!this.#failing.has(effect.destination)) this.#failing.set(effect.destination, { since: failure.at });
    const platform = platformOf(effect.destination);
    let lanes = this.#backingOff.get(platform);
    if (!lanes) {
      lanes = new Set();
      this.#backingOff.set(platform, lanes);
    }
    lanes.add(state.name);
    this.#deps.events?.retried(effect, failure.code);
  }

  #die(state: LaneState, effect: Effect, failure: EffectError): void {
    const { store, log } = this.#deps;
    this.#premarked.delete(effect.id);
    const dead =
      store.effects.update(effect.id, { deadAt: failure.at, lastError: failure, attempts: effect.attempts + 1 }) ??
      effect;
    state.ids.shift();
    this.#deps.events?.died(dead, failure.code);
    log.error(
      {
        lane: state.name,
        effect: effect.id,
        destination: effect.destination,
        code: failure.code,
        reason: failure.message,
      },
      'Effect failed for good',
    );
    try {
      this.#deps.onDead(dead, failure.message);
    } catch (error) {
      log.error({ err: error, effect: effect.id }, 'Could not plan the failure notice');
    }
  }

  #pollReadiness(): void {
    if (this.#readinessTimer || this.#stopped) return;
    this.#readinessTimer = setInterval(() => {
      for (const name of [...this.#waitingForBridge]) this.#pump(name);
      if (this.#waitingForBridge.size === 0 && this.#readinessTimer) {
        clearInterval(this.#readinessTimer);
        this.#readinessTimer = undefined;
      }
    }, this.#deps.readinessPollMs ?? 250);
    this.#readinessTimer.unref?.();
  }

  #clearTimer(state: LaneState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
  }
}

function isShutdown(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'queue_closed' || code === 'store_closed';
}

/** `slack:C0123` → `slack`. */
function platformOf(destination: string): string {
  return destination.slice(0, destination.indexOf(':'));
}

function hours(ms: number): string {
  const value = ms / 3_600_000;
  return value >= 1 ? `${Number(value.toFixed(1))} h` : `${Math.round(ms / 60_000)} min`;
}
