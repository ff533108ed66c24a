import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Called just before a call that may change something on a platform (a task that is not `idempotent`) is
 * made: the effect runner records durably that its effect was attempted, so after a crash the effect is
 * reconciled instead of redone blindly. It may throw (the store could not write): the call is then not made.
 */
export type BeforeAttempt = () => Promise<void>;

const scope = new AsyncLocalStorage<BeforeAttempt>();

/**
 * Runs `work` so that every task it enqueues (however deep in a bridge) calls `beforeAttempt` before its
 * non-idempotent calls. The hook travels with the async context, so the bridges need not pass it along.
 */
export function runWithAttemptHook<T>(beforeAttempt: BeforeAttempt, work: () => Promise<T>): Promise<T> {
  return scope.run(beforeAttempt, work);
}

/** The hook of the work that is enqueueing now, if any (read by the send queues at enqueue time). */
export function currentAttemptHook(): BeforeAttempt | undefined {
  return scope.getStore();
}
