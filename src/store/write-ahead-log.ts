import type { Logger } from 'pino';
import { writeCheckpoint, type CheckpointPlan } from './checkpoint.js';
import { frameRecord } from './log-frame.js';
import { encodeLogRecord, type BatchChanges } from './log-record.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Layout } from './manifest.js';
import type { ShardVersion } from './shard-file.js';
import { logName, type Volume } from './volume.js';

export interface WriteAheadLogOptions {
  readonly layout: Layout;
  /**
   * The shards' whole content as it is now (the tables' snapshots; null for a shard that no longer
   * exists), taken synchronously: what a checkpoint writes.
   */
  readonly snapshot: (names: Iterable<string>) => Map<string, unknown>;
  /** Log bytes since the last checkpoint that make the next commit start one. */
  readonly checkpointBytes: number;
  readonly onFileWrite?: ((name: string) => void) | undefined;
  readonly logger?: Logger | undefined;
}

/** Where the log carries on from: what open recovered, or an empty store's start. */
export interface LogStart {
  readonly lastBatch: number;
  /** Shards whose logged changes no shard file holds yet. */
  readonly pending: Set<string>;
  readonly list: readonly string[];
  readonly nextLog: number;
  /** Bytes in logs not yet checkpointed. */
  readonly logBytes: number;
  /** True when a checkpoint has work even with nothing pending (logs to delete, an old manifest). */
  readonly stale: boolean;
}

/**
 * The write-ahead log: each group-commit batch becomes one record appended to the current log file and
 * made durable with one fdatasync, so a batch lands entirely or not at all. Checkpoints then copy what
 * the logs hold into the shard files and delete the logs: when the logs since the last one pass
 * `checkpointBytes`, and on close. Commits carry on into a new log while a checkpoint writes.
 */
export class WriteAheadLog {
  readonly #volume: Volume;
  readonly #options: WriteAheadLogOptions;
  /** The last batch number handed out (a failed append burns its number: it may be on disk). */
  #lastBatch: number;
  /** The last batch known durable: what a checkpoint's manifest stands for. */
  #durableBatch: number;
  #logNo: number;
  /** True once anything may have been appended to `#logNo` (then a rotation moves to the next number). */
  #logUsed = false;
  /** Set when an append failed: the log may end in a torn record, so the next append starts a new one. */
  #broken = false;
  #bytes: number;
  /** Every shard changed since the last checkpoint's rotation. */
  #pending: Set<string>;
  /** The shard list as of `#durableBatch`. */
  #list: readonly string[];
  #stale: boolean;
  #checkpoint: Promise<void> | undefined;
  #appending: Promise<void> | undefined;

  constructor(volume: Volume, start: LogStart, options: WriteAheadLogOptions) {
    this.#volume = volume;
    this.#options = options;
    this.#lastBatch = start.lastBatch;
    this.#durableBatch = start.lastBatch;
    this.#logNo = start.nextLog;
    this.#bytes = start.logBytes;
    this.#pending = start.pending;
    this.#list = start.list;
    this.#stale = start.stale;
  }

  /**
   * Appends one batch and resolves once it is durable. Encodes the record before its first `await`,
   * and must not be called again before the previous call settled (group commit runs one at a time).
   */
  async append(changes: BatchChanges): Promise<void> {
    const batch = ++this.#lastBatch;
    const bytes = frameRecord(encodeLogRecord(batch, changes));
    if (this.#broken) {
      this.#logNo++;
      this.#broken = false;
    }
    const no = this.#logNo;
    this.#logUsed = true;
    const changed = [
      ...changes.removed,
      ...changes.shards.map(([name]) => name),
      ...changes.deltas.map(([name]) => name),
    ];
    for (const name of changed) this.#pending.add(name);
    if (changes.list) this.#list = changes.list;
    // A checkpoint takes the shards as they are now, that is as of this batch: taken later, memory could
    // hold part of a batch not yet logged. It starts once this batch is durable.
    const plan =
      this.#bytes + bytes.length >= this.#options.checkpointBytes && !this.#checkpoint
        ? this.#rotate(batch)
        : undefined;
    const appending = this.#volume.appendLog(no, bytes);
    this.#appending = appending.then(
      () => undefined,
      () => undefined,
    );
    try {
      await appending;
    } catch (error) {
      this.#broken = true;
      // The plan is dropped; what it would have written stays pending for the next checkpoint.
      if (plan) for (const name of plan.shards.keys()) this.#pending.add(name);
      throw error;
    } finally {
      this.#appending = undefined;
    }
    this.#options.onFileWrite?.(logName(no));
    if (!plan) this.#bytes += bytes.length;
    this.#durableBatch = batch;
    if (plan) {
      // Not awaited: the commit is durable now, and the next ones go to the new log meanwhile.
      this.#start(plan, true).catch((error: unknown) => {
        this.#options.logger?.error({ err: error }, 'Store checkpoint failed; the log keeps the data');
      });
    }
  }

  /**
   * Waits for a running append and checkpoint, then checkpoints everything logged so far unless there is
   * nothing to do; rejects when writing fails. Called at open and close, when no commit is coming.
   */
  async checkpoint(): Promise<void> {
    // Rotating while an append runs would let this checkpoint delete the log that append is writing.
    while (this.#appending || this.#checkpoint) {
      await this.#appending;
      await this.#checkpoint?.catch(() => undefined);
    }
    if (this.#pending.size === 0 && this.#bytes === 0 && !this.#stale) return;
    await this.#start(this.#rotate(this.#durableBatch), false);
  }

  /** Resolves once no checkpoint runs. */
  async settle(): Promise<void> {
    await this.#checkpoint?.catch(() => undefined);
  }

  /**
   * Begins a new log (after the current batch) and takes what the checkpoint must write, synchronously:
   * every shard changed since the last rotation, as it is now, stamped with `batch`.
   */
  #rotate(batch: number): CheckpointPlan {
    const snapshots = this.#options.snapshot(this.#pending);
    const shards = new Map<string, ShardVersion>();
    for (const [name, data] of snapshots) shards.set(name, { batch, data });
    const nextLog = this.#logUsed ? this.#logNo + 1 : this.#logNo;
    const plan: CheckpointPlan = {
      shards,
      manifest: {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        layout: this.#options.layout,
        shards: this.#list,
        batch,
        log: nextLog,
      },
    };
    // Later batches go to the new log; the batch being appended (if any) already has its log.
    this.#logNo = nextLog;
    this.#logUsed = false;
    this.#broken = false;
    this.#pending = new Set();
    this.#bytes = 0;
    this.#stale = false;
    return plan;
  }

  #start(plan: CheckpointPlan, background: boolean): Promise<void> {
    const hooks = { onFileWrite: this.#options.onFileWrite, logger: this.#options.logger, background };
    const running = writeCheckpoint(this.#volume, plan, hooks).then(
      () => {
        this.#checkpoint = undefined;
      },
      (error: unknown) => {
        this.#checkpoint = undefined;
        // Its logs are still the manifest's: give the work back.
        for (const name of plan.shards.keys()) this.#pending.add(name);
        this.#stale = true;
        throw error;
      },
    );
    this.#checkpoint = running;
    return running;
  }
}
