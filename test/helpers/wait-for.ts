import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this long. Default 2000. */
  timeoutMs?: number;
  /** Time between checks. Default 5. */
  intervalMs?: number;
  /** Says what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is resolved) or the deadline passes (which
 * rejects, with the last error the condition threw, if any). Uses real timers: do not await it while
 * `mock.timers` fakes setTimeout.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'condition';
      throw new Error(
        `waitFor: ${what} not met within ${timeoutMs} ms`,
        lastError === undefined ? {} : { cause: lastError },
      );
    }
    await delay(intervalMs);
  }
}
