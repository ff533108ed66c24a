/**
 * Holds webhooks while the start-up backfill hands in what arrived during downtime. messages.dev retries a
 * failed delivery on its own schedule, so after a restart the retries of texts sent while Threadline was
 * down come back in any order; the backfill lists them in the order they were sent. Webhooks wait until it
 * is done (the retries are then duplicates), so each line's messages are journaled in the order sent.
 */
export class StartupGate {
  readonly #waitMs: number;
  #open = false;
  #release!: () => void;
  readonly #opened = new Promise<void>((resolve) => (this.#release = resolve));

  /** `waitMs`: how long a webhook is held before it is answered "not yet" (messages.dev retries it). */
  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /** The backfill is done (or gave up): webhooks pass from now on. */
  open(): void {
    this.#open = true;
    this.#release();
  }

  /** True at once when open (no promise on the hot path); otherwise whether it opened within the wait. */
  pass(): true | Promise<boolean> {
    if (this.#open) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      this.#opened.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#waitMs))),
    ]).finally(() => clearTimeout(timer));
  }
}
