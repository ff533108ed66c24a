import { ConversationTable } from './conversation-table.js';
import { CursorTable } from './cursor-table.js';
import { DedupeTable } from './dedupe-table.js';
import { EffectTable } from './effect-table.js';
import { GroupCommit, type Batch } from './group-commit.js';
import { JournalTable } from './journal-table.js';
import { LinkTable } from './link-table.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, parseManifest, type Layout, type Manifest } from './manifest.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import { StoreError } from './store-error.js';
import { resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options.js';
import type { PruneResult, Store } from './store.js';
import { MANIFEST, type Volume } from './volume.js';

const LOAD_CONCURRENCY = 8;
/** Files written at once by one commit (a burst can touch hundreds; file descriptors are finite). */
const WRITE_CONCURRENCY = 16;

/**
 * The store over a {@link Volume}: data split into shard files named in a manifest, every mutation in
 * memory at once, written by group commit. The lowdb store and the memory store are this class over a
 * directory and over memory.
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
      touch: (name) => this.#commits.touch(name),
      create: (name) => this.#commits.add(name),
      drop: (name) => this.#commits.remove(name),
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
   * manifest names (rebuilding indexes), deletes leftovers of interrupted writes, and prunes.
   * Throws a `store_corrupt` StoreError naming the file when a shard cannot be read.
   */
  static async open(volume: Volume, options: StoreOptions = {}): Promise<ShardedStore> {
    const resolved = resolveStoreOptions(options);
    const temporaries = await volume.removeTemporaries();
    const raw = await volume.read(MANIFEST);
    if (raw === null) return ShardedStore.#create(volume, resolved);
    const manifest = parseManifest(raw, volume.describe(MANIFEST));
    const store = new ShardedStore(volume, resolved, manifest.layout);
    const leftovers = await store.#load(manifest);
    if (temporaries + leftovers > 0) {
      resolved.logger?.info({ temporaries, leftovers }, 'Removed store files left by an interrupted write');
    }
    store.prune();
    store.#startPruning();
    return store;
  }

  static async #create(volume: Volume, options: ResolvedStoreOptions): Promise<ShardedStore> {
    const existing = await volume.list();
    if (existing.length > 0) {
      const file = volume.describe(MANIFEST);
      const example = volume.describe(existing[0] ?? '');
      throw new StoreError(
        'store_corrupt',
        `Store manifest ${file} is missing but ${existing.length} shard files beside it exist (e.g. ${example}): ` +
          'restore the manifest, or move those files away to start with an empty store',
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
    await store.#commits.commitNow();
    store.#startPruning();
    return store;
  }

  commit(): Promise<void> {
    return this.#commits.commit();
  }

  prune(): PruneResult {
    if (this.#closed) return { links: 0, dedupeKeys: 0, deadLetters: 0 };
    const now = this.#options.now();
    const result = {
      links: this.links.prune(now),
      dedupeKeys: this.dedupe.prune(now),
      deadLetters: this.effects.prune(now),
    };
    if (result.links + result.dedupeKeys + result.deadLetters > 0) this.#options.logger?.debug(result, 'Pruned store');
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#commits.close();
  }

  /** Loads every shard; returns how many unlisted (leftover) shard files were deleted. */
  async #load(manifest: Manifest): Promise<number> {
    const present = new Set(await this.#volume.list());
    for (const name of manifest.shards) {
      if (!present.has(name)) {
        const file = this.#volume.describe(name);
        throw new StoreError('store_corrupt', `Store file ${file} is missing (the manifest names it)`, { file });
      }
    }
    const listed = new Set(manifest.shards);
    const leftovers = [...present].filter((name) => !listed.has(name));
    await Promise.all(leftovers.map((name) => this.#volume.remove(name)));
    const queue = [...manifest.shards];
    const loadNext = async (): Promise<void> => {
      for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
        const data = await this.#volume.read(name);
        this.#tableFor(name).load(name, data, this.#volume.describe(name));
      }
    };
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, loadNext));
    for (const table of this.#tables) table.finishLoad();
    return leftovers.length;
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

  /** Writes one batch: shards first, then the manifest if it changed, then deletes dropped shards. */
  async #persist(batch: Batch): Promise<void> {
    // The snapshot: every file of the batch serialized now, before the first await.
    const files: [string, string][] = [];
    for (const name of batch.dirty) {
      const data = this.#tableFor(name).snapshot(name);
      if (data !== undefined) files.push([name, JSON.stringify(data)]);
    }
    const manifest = batch.manifestChanged ? JSON.stringify(this.#manifest()) : undefined;
    await writeAll(files, WRITE_CONCURRENCY, ([name, json]) => this.#write(name, json));
    // The manifest may name a new shard only once that shard's directory entry is durable.
    await this.#volume.sync();
    if (manifest) {
      await this.#write(MANIFEST, manifest);
      await this.#volume.sync();
    }
    for (const name of batch.removed) {
      // A file left here is deleted at the next start-up: the manifest no longer names it.
      await this.#volume.remove(name).catch((error: unknown) => {
        this.#options.logger?.warn({ err: error, shard: name }, 'Could not delete a dropped store shard');
      });
    }
  }

  async #write(name: string, json: string): Promise<void> {
    await this.#volume.write(name, json);
    this.#options.onFileWrite?.(name);
  }

  #manifest(): Manifest {
    const shards: string[] = [];
    for (const table of this.#tables) for (const name of table.shardNames()) shards.push(name);
    return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, layout: this.#layout, shards };
  }

  #startPruning(): void {
    if (this.#options.pruneIntervalMs === 0) return;
    this.#pruneTimer = setInterval(() => this.prune(), this.#options.pruneIntervalMs);
    this.#pruneTimer.unref();
  }
}

/**
 * Runs `write` over `items`, at most `limit` at a time; waits for all of them (none may still run when
 * the next batch starts), then throws the first failure.
 */
async function writeAll<T>(items: readonly T[], limit: number, write: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await write(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
