import { ConversationTable } from './conversation-table.js';
import { CursorTable } from './cursor-table.js';
import { DedupeTable } from './dedupe-table.js';
import { EffectTable } from './effect-table.js';
import { toJson } from './json-text.js';
import { GroupCommit, type Batch } from './group-commit.js';
import { JournalTable } from './journal-table.js';
import { LinkTable } from './link-table.js';
import { MANIFEST_VERSION, parseManifest, type Layout } from './manifest.js';
import { recover } from './recovery.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import { StoreError } from './store-error.js';
import { resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options.js';
import type { PruneResult, Store } from './store.js';
import { MANIFEST, type Volume } from './volume.js';
import { WriteAheadLog, type LogStart } from './write-ahead-log.js';
import { pruneTables } from './prune.js';

/**
 * The store over a {@link Volume}: data split into shard files named in a manifest, every mutation in
 * memory at once, made durable by group commit into a write-ahead log (one record and one fdatasync per
 * batch, so a batch lands whole or not at all), and copied into the shard files by checkpoints. The lowdb
 * store and the memory store are this class over a directory and over memory.
 */
export class ShardedStore implements Store {
  readonly conversations: ConversationTable;
  readonly links: LinkTable;
  readonly journal: JournalTable;
  readonly effects: EffectTable;
  readonly dedupe: DedupeTable;
  readonly cursors: CursorTable;
  readonly #volume: Volume;
  readonly #options: ResolvedStoreOptions;
  readonly #layout: Layout;
  readonly #tables: readonly ShardTable[];
  readonly #commits: GroupCommit;
  /** Set by open before anything can flush. */
  #log: WriteAheadLog | undefined;
  /** The rows changed per shard since its last log record; 'all' logs the shard whole. */
  #changed = new Map<string, Set<string | number> | 'all'>();
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(volume: Volume, options: ResolvedStoreOptions, layout: Layout) {
    this.#volume = volume;
    this.#options = options;
    this.#layout = layout;
    const host: ShardHost = {
      now: options.now,
      assertOpen: () => {
        if (this.#closed) throw new StoreError('store_closed', 'The store is closed');
      },
      touch: (name, key) => {
        this.#noteChange(name, key);
        this.#commits.touch(name);
      },
      create: (name) => {
        this.#changed.set(name, 'all');
        this.#commits.add(name);
      },
      drop: (name) => {
        this.#changed.delete(name);
        this.#commits.remove(name);
      },
    };
    this.conversations = new ConversationTable(host, { perShard: options.conversationsPerShard });
    this.links = new LinkTable(host, {
      perSegment: layout.linksPerSegment,
      retentionMs: options.linkRetentionMs,
      maxLinks: options.maxLinks,
    });
    this.journal = new JournalTable(host, { perSegment: layout.journalPerSegment });
    this.effects = new EffectTable(host, {
      perSegment: layout.effectsPerSegment,
      deadRetentionMs: options.deadLetterRetentionMs,
    });
    this.dedupe = new DedupeTable(host, { perSegment: options.dedupePerSegment });
    this.cursors = new CursorTable(host);
    this.#tables = [this.conversations, this.links, this.journal, this.effects, this.dedupe, this.cursors];
    this.#commits = new GroupCommit({
      windowMs: options.commitWindowMs,
      maxBatch: options.commitMaxBatch,
      persist: (batch) => this.#persist(batch),
      onError: (error) => options.logger?.error({ err: error }, 'Store commit failed; retrying'),
    });
  }

  /**
   * Opens the store on `volume`: creates it when the volume is empty, otherwise loads every shard the
   * manifest names, replays the write-ahead log over them (rebuilding indexes; the link table hashes its
   * rows in the background after open, see LinkIndexes), deletes leftovers of
   * interrupted writes, and prunes. A version 1 store (no log) is upgraded by a checkpoint at once, so
   * that an older Threadline refuses it rather than miss what the log holds. Throws a `store_corrupt`
   * StoreError naming the file when a shard, the manifest or a log cannot be read.
   */
  static async open(volume: Volume, options: StoreOptions = {}): Promise<ShardedStore> {
    const resolved = resolveStoreOptions(options);
    const temporaries = await volume.removeTemporaries();
    const raw = await volume.read(MANIFEST);
    if (raw === null) return ShardedStore.#create(volume, resolved);
    const { manifest, writtenVersion } = parseManifest(raw, volume.describe(MANIFEST));
    const store = new ShardedStore(volume, resolved, manifest.layout);
    const recovered = await recover(volume, manifest, {
      load: (name, data, file) => store.#tableFor(name).load(name, data, file),
      applyDelta: (name, delta, file) => {
        const table = store.#tableFor(name);
        if (!table.applyDelta)
          throw new StoreError('store_corrupt', `Store log ${file} has a delta for ${name}`, { file });
        table.applyDelta(name, delta, file);
      },
    });
    for (const table of store.#tables) table.finishLoad();
    const upgrade = writtenVersion < MANIFEST_VERSION;
    store.#startLog({ ...recovered, stale: upgrade || recovered.logs > 0 });
    if (upgrade) await store.#checkpoint();
    const { logs, logBytes, tornBytes, leftovers } = recovered;
    if (logs > 0) resolved.logger?.info({ logs, logBytes, tornBytes }, 'Replayed the store log');
    if (temporaries + leftovers > 0) {
      resolved.logger?.info({ temporaries, leftovers }, 'Removed store files left by an interrupted write');
    }
    store.prune();
    store.#startPruning();
    return store;
  }

  static async #create(volume: Volume, options: ResolvedStoreOptions): Promise<ShardedStore> {
    const existing = await volume.list();
    const logs = await volume.logs();
    if (existing.length > 0 || logs.length > 0) {
      const file = volume.describe(MANIFEST);
      const example = existing[0] === undefined ? volume.describeLog(logs[0] ?? 0) : volume.describe(existing[0]);
      throw new StoreError(
        'store_corrupt',
        `Store manifest ${file} is missing but ${existing.length + logs.length} store files beside it exist ` +
          `(e.g. ${example}): restore the manifest, or move those files away to start with an empty store`,
        { file },
      );
    }
    const layout = {
      linksPerSegment: options.linksPerSegment,
      journalPerSegment: options.journalPerSegment,
      effectsPerSegment: options.effectsPerSegment,
    };
    const store = new ShardedStore(volume, options, layout);
    for (const table of store.#tables) table.initialize();
    // The first files are written by a checkpoint of batch 0 rather than logged.
    store.#commits.forget();
    const list = store.#shardList();
    store.#changed.clear();
    store.#startLog({ lastBatch: 0, pending: new Set(list), list, nextLog: 1, logBytes: 0, stale: true });
    await store.#checkpoint();
    store.#startPruning();
    return store;
  }

  commit(): Promise<void> {
    return this.#commits.commit();
  }

  prune(): PruneResult {
    if (this.#closed) return { links: 0, dedupeKeys: 0, deadLetters: 0 };
    return pruneTables(this, this.#options.now(), this.#options.logger);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    for (const table of this.#tables) table.close?.();
    try {
      await this.#commits.close();
      // A clean shutdown leaves no log to replay.
      await this.#checkpoint();
    } finally {
      await this.#log?.settle();
      await this.#volume.close();
    }
  }

  #tableFor(name: string): ShardTable {
    const prefix = name.split('-', 1)[0];
    const table = this.#tables.find((candidate) => candidate.prefix === prefix);
    if (!table) {
      const file = this.#volume.describe(name);
      throw new StoreError('store_corrupt', `Store file ${file} belongs to no table`, { file });
    }
    return table;
  }

  /**
   * Logs one batch, taken here synchronously before the append is awaited: the rows that changed for
   * shards whose table logs deltas, whole shards otherwise (new ones, bulk changes).
   */
  #persist(batch: Batch): Promise<void> {
    const shards: [string, string][] = [];
    const deltas: [string, string][] = [];
    const existing = new Set<string>();
    for (const name of batch.dirty) {
      const table = this.#tableFor(name);
      const keys = this.#changed.get(name);
      this.#changed.delete(name);
      if (keys !== undefined && keys !== 'all' && table.deltaOf) {
        deltas.push([name, toJson(table.deltaOf(name, keys))]);
        existing.add(name);
        continue;
      }
      const data = table.snapshot(name);
      if (data === undefined) continue;
      shards.push([name, toJson(data)]);
      existing.add(name);
    }
    const removed = [...batch.removed].filter((name) => !existing.has(name));
    const list = batch.manifestChanged ? this.#shardList() : undefined;
    const appended = this.#requireLog().append({ shards, deltas, removed, ...(list && { list }) });
    // A failed batch is written again by a later one; its rows are no longer known apart, so whole.
    appended.catch(() => {
      for (const name of batch.dirty) this.#changed.set(name, 'all');
    });
    return appended;
  }

  #noteChange(name: string, key: string | number | undefined): void {
    const known = this.#changed.get(name);
    if (known === 'all') return;
    if (key === undefined) this.#changed.set(name, 'all');
    else if (known) known.add(key);
    else this.#changed.set(name, new Set([key]));
  }

  /** Every named shard as it is now, for a checkpoint (null: the shard is gone). */
  #snapshot(names: Iterable<string>): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const listed = new Set(this.#shardList());
    for (const name of names) {
      const data = listed.has(name) ? this.#tableFor(name).snapshot(name) : undefined;
      out.set(name, data === undefined ? null : data);
    }
    return out;
  }

  #startLog(start: LogStart): void {
    this.#log = new WriteAheadLog(this.#volume, start, {
      layout: this.#layout,
      snapshot: (names) => this.#snapshot(names),
      checkpointBytes: this.#options.checkpointBytes,
      onFileWrite: this.#options.onFileWrite,
      logger: this.#options.logger,
    });
  }

  #checkpoint(): Promise<void> {
    return this.#requireLog().checkpoint();
  }

  #requireLog(): WriteAheadLog {
    if (!this.#log) throw new Error('The store log is not started');
    return this.#log;
  }

  #shardList(): string[] {
    const shards: string[] = [];
    for (const table of this.#tables) for (const name of table.shardNames()) shards.push(name);
    return shards;
  }

  #startPruning(): void {
    if (this.#options.pruneIntervalMs === 0) return;
    this.#pruneTimer = setInterval(() => this.prune(), this.#options.pruneIntervalMs);
    this.#pruneTimer.unref();
  }
}
