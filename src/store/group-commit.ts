/** What one flush must make durable: the shards changed and removed, and whether the set of shards changed. */
export interface Batch {
  /** Shards whose content changed (or that are new). */
  readonly dirty: ReadonlySet<string>;
  /** Shards that no longer exist. */
  readonly removed: ReadonlySet<string>;
  /** True when the set of shards changed, so the new shard list must be recorded. */
  readonly manifestChanged: boolean;
}

export interface GroupCommitOptions {
  /** How long the first mutation of a batch waits for others to join it. */
  readonly windowMs: number;
  /** Mutations in one window that make the batch flush at once. */
  readonly maxBatch: number;
  /**
   * Writes a batch. Must take its snapshot of the data synchronously, before its first `await`:
   * mutations made while it writes belong to the next batch.
   */
  readonly persist: (batch: Batch) => Promise<void>;
  /** Told about a failed flush (its data is kept and retried after `retryMs`). */
  readonly onError: (error: unknown) => void;
  /** @default 1000 */
  readonly retryMs?: number;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: collects the names of shards touched by mutations and hands them to `persist` as one
 * batch per window. One flush runs at a time; {@link GroupCommit.commit} tells a caller when what it did
 * is durable.
 */
export class GroupCommit {
  readonly #options: GroupCommitOptions;
  #dirty = new Set<string>();
  #removed = new Set<string>();
  #manifestChanged = false;
  #marks = 0;
  #waiters: Deferred | undefined;
  #inFlight: Deferred | undefined;
  #due = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #failures = 0;
  #closing = false;

  constructor(options: GroupCommitOptions) {
    this.#options = options;
  }

  /** Records that shard `name` changed (one mutation: `maxBatch` counts these). */
  touch(name: string): void {
    this.#dirty.add(name);
    this.#marks++;
    this.#schedule();
  }

  /** Records that shard `name` is new: it is written and the manifest rewritten to name it. */
  add(name: string): void {
    this.#dirty.add(name);
    this.#manifestChanged = true;
    this.#schedule();
  }

  /** Records that shard `name` no longer exists (its file goes once the manifest stops naming it). */
  remove(name: string): void {
    this.#removed.add(name);
    this.#manifestChanged = true;
    this.#schedule();
  }

  /** Resolves when everything recorded before the call is durable. */
  commit(): Promise<void> {
    if (this.#hasPending()) return this.#pendingWaiters().promise;
    return this.#inFlight?.promise ?? Promise.resolve();
  }

  /** Like {@link GroupCommit.commit}, without waiting out the window. */
  commitNow(): Promise<void> {
    const done = this.commit();
    if (this.#hasPending()) this.#request(0);
    return done;
  }

  /**
   * Drops everything recorded so far, which the caller makes durable another way (a new store writes its
   * first files directly). Only before the first flush, while nobody waits on a commit.
   */
  forget(): void {
    this.#clearTimers();
    this.#dirty = new Set();
    this.#removed = new Set();
    this.#manifestChanged = false;
    this.#marks = 0;
    this.#waiters = undefined;
  }

  /** Flushes everything now and stops the timers; rejects when the last flush fails. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#clearTimers();
    try {
      for (;;) {
        if (this.#inFlight) await this.#inFlight.promise.catch(() => undefined);
        else if (this.#hasPending()) {
          const done = this.#pendingWaiters().promise;
          this.#flush();
          await done;
        } else return;
      }
    } finally {
      this.#clearTimers();
    }
  }

  #schedule(): void {
    this.#pendingWaiters();
    if (this.#marks >= this.#options.maxBatch) this.#request(0);
    else this.#request(this.#options.windowMs);
  }

  #pendingWaiters(): Deferred {
    this.#waiters ??= createDeferred();
    return this.#waiters;
  }

  #hasPending(): boolean {
    return this.#dirty.size > 0 || this.#removed.size > 0 || this.#manifestChanged;
  }

  /** Arranges a flush in `delayMs` unless one is already arranged sooner. */
  #request(delayMs: number): void {
    if (this.#inFlight) {
      if (delayMs === 0) this.#due = true;
      else if (!this.#timer && !this.#due) this.#timer = setTimeout(() => this.#onTimer(), delayMs);
      return;
    }
    if (delayMs === 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#flush();
      });
    } else if (!this.#timer && !this.#immediate) {
      this.#timer = setTimeout(() => this.#onTimer(), delayMs);
    }
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#inFlight) this.#due = true;
    else this.#flush();
  }

  #flush(): void {
    this.#clearTimers();
    if (this.#inFlight || !this.#hasPending()) return;
    const batch: Batch = { dirty: this.#dirty, removed: this.#removed, manifestChanged: this.#manifestChanged };
    const waiters = this.#pendingWaiters();
    this.#dirty = new Set();
    this.#removed = new Set();
    this.#manifestChanged = false;
    this.#marks = 0;
    this.#waiters = undefined;
    this.#due = false;
    this.#inFlight = waiters;
    let persisted: Promise<void>;
    try {
      persisted = this.#options.persist(batch);
    } catch (error) {
      persisted = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    persisted.then(
      () => {
        this.#failures = 0;
        this.#settle();
        waiters.resolve();
      },
      (error: unknown) => {
        this.#failures++;
        this.#requeue(batch);
        this.#settle();
        waiters.reject(error);
        this.#options.onError(error);
      },
    );
  }

  #settle(): void {
    this.#inFlight = undefined;
    // While closing, close() drives the flushes itself.
    if (this.#closing || !this.#hasPending()) return;
    if (this.#failures > 0) {
      const retryMs = Math.min((this.#options.retryMs ?? 1000) * 2 ** (this.#failures - 1), 30_000);
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#onTimer(), retryMs);
    } else if (this.#due) this.#request(0);
    else if (!this.#timer) this.#request(this.#options.windowMs);
  }

  /** Puts a failed batch's work back, so the next flush writes it. */
  #requeue(batch: Batch): void {
    for (const name of batch.dirty) this.#dirty.add(name);
    for (const name of batch.removed) this.#removed.add(name);
    this.#manifestChanged ||= batch.manifestChanged;
    this.#pendingWaiters();
  }

  #clearTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}

function createDeferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaited may fail; the failure is reported through onError, not as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
