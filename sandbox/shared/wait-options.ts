import type { RecorderWaitOptions } from './recorder.js';

/** How long a simulator's waitFor… helpers wait when the caller does not say. */
export const DEFAULT_WAIT_MS = 2000;

/** The options a simulator's waitFor… helpers take. */
export interface WaitOptions {
  /** Default 2000. */
  timeoutMs?: number;
  /** Only records at or after this index (e.g. `sim.calls.length` read earlier). */
  since?: number;
}

/** A simulator's wait options with the defaults applied, as `Recorder.waitFor` takes them. */
export function recorderWait(options: WaitOptions, what: string): RecorderWaitOptions {
  return { timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS, since: options.since ?? 0, what };
}
