import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** Why an item waited before its call: its pacing, a Retry-After it was told, or a backoff of our own. */
export type WaitReason = 'pacing' | 'retry_after' | 'backoff';

/** The queue's Prometheus metrics, all labelled by destination key. */
export interface QueueMetrics {
  readonly depth: Gauge<'destination'>;
  readonly rateLimited: Counter<'destination'>;
  readonly waitSeconds: Counter<'destination' | 'reason'>;
  readonly retries: Counter<'destination'>;
  readonly failures: Counter<'destination' | 'code'>;
  readonly sent: Counter<'destination'>;
}

/** Registers the metrics on `registry` (or reuses them when another set of queues registered them first). */
export function createQueueMetrics(registry: Registry): QueueMetrics {
  return {
    depth: findOrCreateGauge(registry, 'threadline_queue_depth', 'Items waiting or running, per destination.'),
    rateLimited: findOrCreateCounter(registry, 'threadline_queue_rate_limited_total', 'Calls answered 429.', [
      'destination',
    ]),
    waitSeconds: findOrCreateCounter(
      registry,
      'threadline_queue_wait_seconds_total',
      'Time items spent waiting before a call, by reason (pacing, retry_after, backoff).',
      ['destination', 'reason'],
    ),
    retries: findOrCreateCounter(registry, 'threadline_queue_retries_total', 'Calls made again after a failure.', [
      'destination',
    ]),
    failures: findOrCreateCounter(registry, 'threadline_queue_failures_total', 'Items that failed for good, by code.', [
      'destination',
      'code',
    ]),
    sent: findOrCreateCounter(registry, 'threadline_queue_sent_total', 'Items that succeeded.', ['destination']),
  };
}

function findOrCreateCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function findOrCreateGauge(registry: Registry, name: string, help: string): Gauge<'destination'> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames: ['destination'] as const, registers: [registry] });
}
