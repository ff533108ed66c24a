import PQueue from 'p-queue';
import { ConfigError } from '../core/errors.js';
import { currentAttemptHook } from './attempt-scope.js';
import { resolveDefaultDestination } from './default-limits.js';
import type { Destination, QueueItem } from './destination.js';
import { processItem } from './process-item.js';
import type { ItemContext } from './process-item.js';
import { QueueClosedError } from './queue-closed-error.js';
import { createQueueMetrics } from './queue-metrics.js';
import type { SendQueues, SendQueuesOptions, SendTask } from './send-queue-types.js';
import { Sleeper } from './sleeper.js';
import { Throttle } from './throttle.js';

const DEFAULT_RETRY = { baseMs: 500, capMs: 30_000, maxAttempts: 8 } as const;
const DEFAULT_RATE_LIMIT_BACKOFF = { baseMs: 1_000, capMs: 300_000 } as const;
const DEFAULT_RECONCILE_DELAY_MS = 2_000;
// Idle destinations are forgotten once the map has doubled since the last sweep, so a long-running daemon with a
// Discord thread per conversation does not keep them all.
const MIN_SWEEP_SIZE = 256;

/**
 * Creates the send queues: one p-queue per destination key with concurrency 1 (strict FIFO; an item keeps the head
 * through its retries), paced by a sliding-window limit of our own plus optional shared buckets, pausing on 429s.
 *
 * Pacing is ours rather than p-queue's `interval`/`intervalCap` because retries happen inside the item that holds
 * the slot (p-queue would pace only first attempts) and because shared buckets span several queues. All waits use
 * setTimeout and (unless `now` is given) Date.now, so node:test's mock timers drive them.
 */
export function createSendQueues(options: SendQueuesOptions): SendQueues {
  const buckets = new Map<string, Throttle>();
  for (const [name, config] of Object.entries(options.buckets ?? {})) {
    buckets.set(name, new Throttle(name, config.limit, config.pollReserve));
  }
  const resolveDestination = options.destinations ?? resolveDefaultDestination;
  const destinations = new Map<string, Destination>();
  const sleeper = new Sleeper();
  let closed = false;
  let nextId = 1;
  let sweepAt = MIN_SWEEP_SIZE;
  const ctx: ItemContext = {
    log: options.log,
    metrics: createQueueMetrics(options.registry),
    sleeper,
    isClosed: () => closed,
    now: options.now ?? (() => Date.now()),
    retry: { ...DEFAULT_RETRY, ...options.retry },
    rateLimitBackoff: { ...DEFAULT_RATE_LIMIT_BACKOFF, ...options.rateLimitBackoff },
    reconcileDelayMs: options.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS,
    random: options.random ?? Math.random,
    onFailed: options.onFailed,
    pauses: options.pauses,
  };

  /** A pause told to an earlier process still holds. */
  function restorePause(throttle: Throttle): void {
    const until = options.pauses?.until(throttle.name);
    if (until !== undefined && until > ctx.now()) throttle.pause(until, 'retry_after');
  }
  for (const bucket of buckets.values()) restorePause(bucket);

  function openDestination(key: string): Destination {
    const existing = destinations.get(key);
    if (existing !== undefined) return existing;
    if (destinations.size >= sweepAt) forgetIdleDestinations();
    const config = resolveDestination(key);
    const shared = (config.buckets ?? []).map((name) => {
      const bucket = buckets.get(name);
      if (bucket === undefined) {
        throw new ConfigError([{ path: `buckets.${name}`, message: `destination ${key} names an unknown bucket` }]);
      }
      return bucket;
    });
    const destination: Destination = {
      key,
      queue: new PQueue({ concurrency: 1 }),
      own: new Throttle(key, config.limit, 0),
      shared,
      scope: config.rateLimitScope ?? 'destination',
      depth: 0,
    };
    restorePause(destination.own);
    destinations.set(key, destination);
    return destination;
  }

  function forgetIdleDestinations(): void {
    const now = ctx.now();
    for (const [key, destination] of destinations) {
      if (destination.depth === 0 && destination.own.isIdle(now)) destinations.delete(key);
    }
    sweepAt = Math.max(MIN_SWEEP_SIZE, destinations.size * 2);
  }

  function setDepth(destination: Destination, change: number): void {
    destination.depth += change;
    ctx.metrics.depth.set({ destination: destination.key }, destination.depth);
  }

  return {
    enqueue<T>(key: string, task: SendTask<T>): Promise<T> {
      if (closed) return Promise.reject(new QueueClosedError());
      let destination: Destination;
      try {
        destination = openDestination(key);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const item: QueueItem<T> = {
        id: nextId++,
        destination: key,
        label: task.label,
        priority: task.priority ?? 'send',
        task,
        beforeAttempt: task.idempotent ? undefined : currentAttemptHook(),
      };
      setDepth(destination, 1);
      return new Promise<T>((resolve, reject) => {
        // The task never rejects: the item's own promise carries the outcome, so p-queue has no error to report.
        void destination.queue.add(async () => {
          try {
            resolve(await processItem(ctx, destination, item));
          } catch (error) {
            if (error instanceof QueueClosedError) {
              ctx.log.debug({ destination: key, itemId: item.id, label: item.label }, 'Send abandoned at shutdown');
            }
            // processItem only rejects with Errors (callOnce wraps anything else); the check satisfies the types.
            reject(error instanceof Error ? error : new Error(String(error)));
          } finally {
            setDepth(destination, -1);
          }
        });
      });
    },

    async drain(): Promise<void> {
      for (;;) {
        const busy = [...destinations.values()].filter((destination) => destination.depth > 0);
        if (busy.length === 0) return;
        await Promise.all(busy.map((destination) => destination.queue.onIdle()));
      }
    },

    close(): void {
      closed = true;
      sleeper.close();
    },

    depth(key: string): number {
      return destinations.get(key)?.depth ?? 0;
    },

    observe(key, budget) {
      if (closed) return;
      let destination: Destination;
      try {
        destination = openDestination(key);
      } catch {
        return;
      }
      destination.own.observe(budget, ctx.now());
      // A sleeper waiting on the old estimate looks again (it may go sooner, never inside a pause).
      destination.own.wakeWaiters();
    },

    restorePauses() {
      for (const bucket of buckets.values()) restorePause(bucket);
      for (const destination of destinations.values()) restorePause(destination.own);
    },
  };
}
