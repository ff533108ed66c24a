import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Effect } from '../store/store.js';
import type { DestinationStats, EffectEvents } from './effect-runner.js';
import type { BridgeId } from './model.js';

/** What the router counts: traffic per bridge, failures by reason, and end-to-end latency. */
export interface RouterMetrics {
  /** An event entered from `bridge`. */
  received(bridge: BridgeId, kind: string): void;
  /** A message was delivered to `bridge` (posted into a thread, or accepted for the phone). */
  delivered(bridge: BridgeId, sentAt: number, direction: 'to_team' | 'to_phone'): void;
  /** messages.dev confirmed a team message reached the phone; it was written at `writtenAt`. */
  confirmed(writtenAt: number): void;
  /** Delivery to `bridge` failed for good. */
  failed(bridge: BridgeId, reason: string): void;
}

/** Registers the router's series on `registry`; `journalSize` is read at scrape time. */
export function createRouterMetrics(
  registry: Registry,
  journalSize: () => number,
  now: () => number = Date.now,
): RouterMetrics {
  const received = new Counter({
    name: 'threadline_messages_in_total',
    help: 'Events received, by the bridge they came from and their kind',
    labelNames: ['bridge', 'kind'],
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'threadline_messages_out_total',
    help: 'Messages delivered, by the bridge they went to',
    labelNames: ['bridge'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'threadline_delivery_failures_total',
    help: 'Deliveries that failed for good, by bridge and reason code',
    labelNames: ['bridge', 'reason'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'threadline_delivery_latency_seconds',
    help: 'From when a message was sent on its platform to when the other side has it',
    labelNames: ['direction'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  new Gauge({
    name: 'threadline_journal_pending',
    help: 'Journal entries whose work is not done yet',
    registers: [registry],
    collect() {
      this.set(journalSize());
    },
  });
  return {
    received: (bridge, kind) => received.inc({ bridge, kind }),
    delivered: (bridge, sentAt, direction) => {
      delivered.inc({ bridge });
      if (sentAt > 0) latency.observe({ direction }, Math.max(0, now() - sentAt) / 1000);
    },
    confirmed: (writtenAt) => latency.observe({ direction: 'to_phone' }, Math.max(0, now() - writtenAt) / 1000),
    failed: (bridge, reason) => failed.inc({ bridge, reason }),
  };
}

/** For tests and tools that do not scrape. */
export const noMetrics: RouterMetrics = {
  received: () => {},
  delivered: () => {},
  confirmed: () => {},
  failed: () => {},
};

/**
 * The effects' series: pending work and the age of the oldest pending effect per destination (read at
 * scrape time), dead letters, and retries and failures for good as they happen.
 */
export function createEffectMetrics(
  registry: Registry,
  stats: () => readonly DestinationStats[],
  now: () => number = Date.now,
): EffectEvents {
  new Gauge({
    name: 'threadline_effects_pending',
    help: 'Effects waiting to be applied, per destination',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of stats()) this.set({ destination: entry.destination }, entry.pending);
    },
  });
  new Gauge({
    name: 'threadline_effects_oldest_pending_seconds',
    help: 'Age of the oldest effect still waiting, per destination (0 when none waits)',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of stats()) {
        const age = entry.oldestCreatedAt === undefined ? 0 : Math.max(0, now() - entry.oldestCreatedAt) / 1000;
        this.set({ destination: entry.destination }, age);
      }
    },
  });
  new Gauge({
    name: 'threadline_effects_dead_letters',
    help: 'Effects that failed for good and wait for an operator (threadline queue retry), per destination',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of stats()) this.set({ destination: entry.destination }, entry.dead);
    },
  });
  new Gauge({
    name: 'threadline_destination_failing_seconds',
    help: 'How long a destination has been failing (0 when it is not)',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of stats()) {
        const since = entry.failingSince;
        this.set({ destination: entry.destination }, since === undefined ? 0 : Math.max(0, now() - since) / 1000);
      }
    },
  });
  const done = new Counter({
    name: 'threadline_effects_done_total',
    help: 'Effects applied, per destination',
    labelNames: ['destination'],
    registers: [registry],
  });
  const retried = new Counter({
    name: 'threadline_effects_retries_total',
    help: 'Transient failures of effects (each retried later), by destination and code',
    labelNames: ['destination', 'code'],
    registers: [registry],
  });
  const died = new Counter({
    name: 'threadline_effects_failed_total',
    help: 'Effects that failed for good (dead letters), by destination and code',
    labelNames: ['destination', 'code'],
    registers: [registry],
  });
  return {
    succeeded: (effect: Effect) => done.inc({ destination: effect.destination }),
    retried: (effect: Effect, code: string) => retried.inc({ destination: effect.destination, code }),
    died: (effect: Effect, code: string) => died.inc({ destination: effect.destination, code }),
  };
}
