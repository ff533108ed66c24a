import type PQueue from 'p-queue';
import type { BeforeAttempt } from './attempt-scope.js';
import type { RateLimitScope, SendPriority, SendTask } from './send-queue-types.js';
import type { Throttle } from './throttle.js';

/** The live state of one destination. */
export interface Destination {
  readonly key: string;
  /** FIFO, concurrency 1: the item at the head holds the slot through all its waits and retries. */
  readonly queue: PQueue;
  /** The destination's own pacing and pause. */
  readonly own: Throttle;
  /** The shared buckets it draws from. */
  readonly shared: readonly Throttle[];
  readonly scope: RateLimitScope;
  /** Items queued or running. */
  depth: number;
}

/** One queued task with its identity. */
export interface QueueItem<T> {
  readonly id: number;
  readonly destination: string;
  readonly label: string;
  readonly priority: SendPriority;
  readonly task: SendTask<T>;
  /** Called before each call of a task that is not idempotent (see runWithAttemptHook). */
  readonly beforeAttempt: BeforeAttempt | undefined;
}
