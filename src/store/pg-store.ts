import pg from 'pg';
import { ConversationRecord } from './conversation-record.js';
import { GroupCommit } from './group-commit.js';
import { PgChanges, type ChangeSet, type PgTable } from './pg-changes.js';
import { migrate, quoteIdent, type MigrationResult } from './pg-migrations.js';
import {
  ConversationRows,
  CursorRows,
  DedupeRows,
  EffectRows,
  JournalRows,
  LinkRows,
  linkIdOf,
  type RowHost,
} from './pg-rows.js';
import {
  conversationRow,
  conversationShape,
  cursorRow,
  cursorShape,
  dedupeShape,
  deleteConversationsSql,
  deleteSql,
  effectFromRow,
  effectRow,
  effectShape,
  journalRow,
  journalShape,
  linkFromRow,
  pgJson,
  linkRow,
  linkShape,
  upsertSql,
  type ConversationColumns,
  type EffectColumns,
  type JournalColumns,
  type LinkColumns,
  type TableShape,
} from './pg-sql.js';
import { StoreError } from './store-error.js';
import { resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options.js';
import type { JournalInput, PruneResult, Store } from './store.js';
import { JournalFollower } from './pg-journal-follower.js';
import { journalOnce } from './pg-journal-once.js';
import { pruneTables } from './prune.js';

/** Where the PostgreSQL store lives. */
export interface PgConnectionOptions {
  /** `postgres://user:pass@host:port/db` (config `store.url`). */
  readonly url: string;
  /** A schema to keep the tables in (created when missing); default the connection's search_path. */
  readonly schema?: string;
  /** Connections in the pool. @default 4 */
  readonly poolSize?: number;
}

export interface PgStoreOptions extends StoreOptions, PgConnectionOptions {
  /**
   * The sender's epoch (see acquireSenderLease): every commit first checks that the `sender` table still
   * names it and fails with `store_fenced` otherwise (another replica took over); `onFenced` is told once.
   */
  readonly fence?: { readonly epoch: number; readonly onFenced: (error: StoreError) => void };
}

/** Journal numbers taken from the database's sequence ahead of need, so that `append` stays synchronous. */
const SEQ_BLOCK = 1024;

const INT8_OID = 20;

/** bigint columns hold Unix ms and counters, far inside the safe integer range: read them as numbers. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

/**
 * The PostgreSQL store: every row also held in memory with the lookups' indexes, so reads and mutations
 * are synchronous as the {@link Store} contract asks; group commit writes the rows changed since the last
 * commit in one transaction (the window's mutations land together or not at all).
 */
export class PgStore implements Store {
  readonly conversations: ConversationRows;
  readonly links: LinkRows;
  readonly journal: JournalRows;
  readonly effects: EffectRows;
  readonly dedupe: DedupeRows;
  readonly cursors: CursorRows;
  readonly #pool: pg.Pool;
  readonly #options: ResolvedStoreOptions;
  readonly #changes: PgChanges;
  readonly #commits: GroupCommit;
  readonly #url: string;
  readonly #clientConfig: pg.ClientConfig;
  /** Journal numbers reserved and not yet used, ascending. */
  #seqs: number[] = [];
  #reserving: Promise<void> | undefined;
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #fence: PgStoreOptions['fence'];
  #fenced = false;
  /** Grows with every successful commit; a read of the journal taken across one is read again. */
  #generation = 0;
  #follower: JournalFollower | undefined;

  private constructor(
    pool: pg.Pool,
    url: string,
    clientConfig: pg.ClientConfig,
    options: ResolvedStoreOptions,
    fence: PgStoreOptions['fence'],
  ) {
    this.#pool = pool;
    this.#fence = fence;
    this.#url = url;
    this.#clientConfig = clientConfig;
    this.#options = options;
    this.#commits = new GroupCommit({
      windowMs: options.commitWindowMs,
      maxBatch: options.commitMaxBatch,
      persist: () => this.#persist(),
      onError: (error) => options.logger?.error({ err: error }, 'Store commit failed; retrying'),
    });
    this.#changes = new PgChanges((table) => this.#commits.touch(table));
    const host: RowHost = {
      now: options.now,
      assertOpen: () => {
        if (this.#closed) throw new StoreError('store_closed', 'The store is closed');
      },
      changes: this.#changes,
    };
    this.conversations = new ConversationRows(host);
    this.links = new LinkRows(host, { retentionMs: options.linkRetentionMs, maxLinks: options.maxLinks });
    this.journal = new JournalRows(host, () => this.#nextSeq());
    this.effects = new EffectRows(host, { deadRetentionMs: options.deadLetterRetentionMs });
    this.dedupe = new DedupeRows(host);
    this.cursors = new CursorRows(host);
  }

  /**
   * Connects, brings the schema up to date (see migrate) and loads every row. Throws a `store_io`
   * StoreError when the server cannot be reached, `store_schema` when its schema is newer than this
   * Threadline.
   */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const resolved = resolveStoreOptions(options);
    const pool = createPgPool(options);
    // An idle connection the server dropped is replaced at the next query; it must not crash the process.
    pool.on('error', (error) => resolved.logger?.warn({ err: error }, 'PostgreSQL connection lost'));
    const store = new PgStore(pool, options.url, pgClientConfig(options), resolved, options.fence);
    try {
      await store.#prepare(options.schema);
      await store.#load();
      await store.#reserveSeqs();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw store.#ioError(error, 'open');
    }
    store.prune();
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

  /**
   * Journals `input` unless one of `keys` was claimed already, in one transaction that any replica may run
   * at the same time (see journalOnce); the entry is in this store's journal when the promise resolves.
   * Resolves with its seq, or undefined for a duplicate.
   */
  async journalOnce(keys: readonly string[], input: JournalInput, ttlMs: number): Promise<number | undefined> {
    this.#assertOpen();
    if (typeof input.kind !== 'string' || input.kind.length === 0) {
      throw new TypeError('Expected journal kind to be a non-empty string');
    }
    const now = this.#options.now();
    const entry = await journalOnce(this.#pool, keys, input, { ttlMs, now }).catch((error: unknown) => {
      throw this.#ioError(error, 'commit');
    });
    if (!entry) return undefined;
    for (const key of keys) this.dedupe.adopt(key, now + ttlMs);
    this.journal.adopt(entry);
    return entry.seq;
  }

  /**
   * Keeps this store's journal up to date with what other replicas journal: told by NOTIFY at once, and
   * checked every `pollMs` besides (a notification can be missed while the connection is re-made).
   * `onJournaled` runs after new entries were taken in.
   */
  follow(onJournaled: () => void, options: { pollMs?: number } = {}): void {
    this.#assertOpen();
    if (this.#follower) return;
    this.#follower = new JournalFollower({
      listen: () => new pg.Client(this.#clientConfig),
      poll: () => this.#pollJournal(),
      onJournaled,
      pollMs: options.pollMs ?? 1000,
      log: this.#options.logger,
    });
    this.#follower.start();
  }

  /** Takes in journal entries other replicas committed; true when there were any. */
  async #pollJournal(): Promise<boolean> {
    for (;;) {
      const generation = this.#generation;
      const { rows } = await this.#pool.query<JournalColumns>('SELECT * FROM journal ORDER BY seq');
      // A commit that completed entries landed meanwhile: the rows may hold what is done already.
      if (generation !== this.#generation) continue;
      let adopted = false;
      for (const row of rows) {
        adopted =
          this.journal.adopt({ seq: row.seq, kind: row.kind, payload: row.payload, appendedAt: row.appended_at }) ||
          adopted;
      }
      return adopted;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('store_closed', 'The store is closed');
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#follower?.stop();
    try {
      await this.#commits.close();
    } finally {
      await this.#reserving?.catch(() => undefined);
      await this.#pool.end();
    }
  }

  async #prepare(schema: string | undefined): Promise<void> {
    const client = await this.#pool.connect();
    try {
      const result = await migrate(client, schema === undefined ? {} : { schema });
      if (result.applied.length > 0) {
        this.#options.logger?.info({ applied: result.applied, version: result.version }, 'Migrated the store schema');
      }
    } finally {
      client.release();
    }
  }

  async #load(): Promise<void> {
    const now = this.#options.now();
    const [conversations, links, journal, effects, dedupe, cursors, counters] = await Promise.all([
      this.#pool.query<ConversationColumns>('SELECT * FROM conversations'),
      this.#pool.query<LinkColumns>('SELECT * FROM links ORDER BY no'),
      this.#pool.query<JournalColumns>('SELECT * FROM journal ORDER BY seq'),
      this.#pool.query<EffectColumns>('SELECT * FROM effects ORDER BY id'),
      this.#pool.query<{ key: string; expires_at: number }>(
        'SELECT key, expires_at FROM dedupe WHERE expires_at > $1',
        [now],
      ),
      this.#pool.query<{ line: string; last_sent_at: number; last_message_id: string | null }>('SELECT * FROM cursors'),
      this.#pool.query<{ name: string; value: number }>('SELECT name, value FROM counters'),
    ]);
    const counter = (name: string) => counters.rows.find((row) => row.name === name)?.value ?? 0;
    for (const row of conversations.rows) {
      this.conversations.load(
        new ConversationRecord(
          row.line,
          row.chat,
          row.participants,
          row.display_name ?? undefined,
          row.is_group ?? undefined,
          row.slack_channel ?? undefined,
          row.slack_thread ?? undefined,
          row.discord_channel ?? undefined,
          row.discord_thread ?? undefined,
          row.created_at,
          row.last_activity_at,
        ),
      );
    }
    this.links.load(
      links.rows.map((row) => linkFromRow(row, linkIdOf(row.no))),
      counter('links_next'),
    );
    for (const row of journal.rows) {
      this.journal.adopt({ seq: row.seq, kind: row.kind, payload: row.payload, appendedAt: row.appended_at });
    }
    this.effects.load(effects.rows.map(effectFromRow), counter('effects_next'));
    for (const row of dedupe.rows) this.dedupe.adopt(row.key, row.expires_at);
    for (const row of cursors.rows) {
      this.cursors.load(row.line, {
        lastSentAt: row.last_sent_at,
        ...(row.last_message_id !== null && { lastMessageId: row.last_message_id }),
      });
    }
  }

  #nextSeq(): number {
    const seq = this.#seqs.shift();
    if (this.#seqs.length < SEQ_BLOCK / 2) this.#refillSeqs();
    if (seq === undefined) {
      throw new StoreError('store_io', 'No journal numbers reserved yet (the database is slow to answer); try again');
    }
    return seq;
  }

  #refillSeqs(): void {
    if (this.#reserving || this.#closed) return;
    this.#reserving = this.#reserveSeqs()
      .catch((error: unknown) => this.#options.logger?.warn({ err: error }, 'Could not reserve journal numbers'))
      .finally(() => (this.#reserving = undefined));
  }

  /** Takes the next block of numbers from the sequence every replica shares, so numbers never collide. */
  async #reserveSeqs(): Promise<void> {
    const { rows } = await this.#pool.query<{ seq: number }>(
      "SELECT nextval('journal_seq') AS seq FROM generate_series(1, $1)",
      [SEQ_BLOCK],
    );
    this.#seqs.push(...rows.map((row) => row.seq).sort((a, b) => a - b));
  }

  /**
   * Writes the rows changed since the last commit, read now, synchronously (mutations made while the
   * transaction runs belong to the next one); on failure the changes are given back for the retry.
   */
  #persist(): Promise<void> {
    const changes = this.#changes.take();
    const statements = this.#statements(changes);
    return this.#transaction(statements).then(
      () => {
        this.#generation++;
        const journal = changes.get('journal');
        if (journal)
          this.journal.deleted([...journal].flatMap(([seq, kind]) => (kind === 'del' ? [seq as number] : [])));
      },
      (error: unknown) => {
        this.#changes.restore(changes);
        throw this.#ioError(error, 'commit');
      },
    );
  }

  #statements(changes: ChangeSet): [string, unknown[]][] {
    const statements: [string, unknown[]][] = [];
    const write = (shape: TableShape, puts: unknown[], dels: unknown[]) => {
      if (dels.length > 0) {
        statements.push(
          shape === conversationShape ? [deleteConversationsSql, [pgJson(dels)]] : [deleteSql(shape), [dels]],
        );
      }
      if (puts.length > 0) statements.push([upsertSql(shape), [pgJson(puts)]]);
    };
    const split = (table: PgTable, row: (key: never) => unknown) => {
      const puts: unknown[] = [];
      const dels: unknown[] = [];
      for (const [key, kind] of changes.get(table) ?? []) {
        const value = kind === 'put' ? row(key as never) : undefined;
        if (value === undefined) dels.push(table === 'conversations' ? JSON.parse(key as string) : key);
        else puts.push(value);
      }
      return [puts, dels] as const;
    };
    write(
      conversationShape,
      ...split('conversations', (key: string) => {
        const record = this.conversations.row(key);
        return record && conversationRow(record);
      }),
    );
    write(
      linkShape,
      ...split('links', (no: number) => {
        const link = this.links.row(no);
        return link && linkRow(link);
      }),
    );
    write(
      journalShape,
      ...split('journal', (seq: number) => {
        const entry = this.journal.row(seq);
        return entry && journalRow(entry);
      }),
    );
    write(
      effectShape,
      ...split('effects', (id: number) => {
        const effect = this.effects.row(id);
        return effect && effectRow(effect);
      }),
    );
    write(
      dedupeShape,
      ...split('dedupe', (key: string) => {
        const expiresAt = this.dedupe.expiryOf(key);
        return expiresAt === undefined ? undefined : { key, expires_at: expiresAt };
      }),
    );
    write(
      cursorShape,
      ...split('cursors', (line: string) => {
        const cursor = this.cursors.row(line);
        return cursor && cursorRow(line, cursor);
      }),
    );
    if (changes.has('links') || changes.has('effects')) {
      statements.push([
        'INSERT INTO counters (name, value) VALUES ($1, $2), ($3, $4) ' +
          'ON CONFLICT (name) DO UPDATE SET value = GREATEST(counters.value, EXCLUDED.value)',
        ['links_next', this.links.next, 'effects_next', this.effects.next],
      ]);
    }
    return statements;
  }

  async #transaction(statements: readonly [string, unknown[]][]): Promise<void> {
    if (statements.length === 0) return;
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      if (this.#fence) await this.#checkFence(client, this.#fence.epoch);
      for (const [sql, values] of statements) await client.query(sql, values);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Holds the sender row (a takeover waits for this commit) and fails when another replica took over. */
  async #checkFence(client: pg.PoolClient, epoch: number): Promise<void> {
    const { rows } = await client.query<{ epoch: number; replica: string }>(
      'SELECT epoch, replica FROM sender WHERE id = 1 FOR SHARE',
    );
    if (rows[0]?.epoch === epoch) return;
    const error = new StoreError(
      'store_fenced',
      `Replica ${rows[0]?.replica ?? '(none)'} became the sender (epoch ${rows[0]?.epoch ?? '?'}, ours ${epoch}): ` +
        'this replica may no longer commit',
    );
    if (!this.#fenced) {
      this.#fenced = true;
      this.#fence?.onFenced(error);
    }
    throw error;
  }

  #startPruning(): void {
    if (this.#options.pruneIntervalMs <= 0) return;
    this.#pruneTimer = setInterval(() => this.prune(), this.#options.pruneIntervalMs);
    this.#pruneTimer.unref();
  }

  #ioError(error: unknown, during: 'open' | 'commit'): unknown {
    if (error instanceof StoreError) return error;
    if (this.#fenced) return new StoreError('store_fenced', 'Another replica became the sender', { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    const what = during === 'open' ? 'open the store at' : 'commit to';
    return new StoreError('store_io', `Could not ${what} PostgreSQL ${redactedUrl(this.#url)}: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * Brings the store's schema up to date (see migrate), as `threadline migrate` does and every replica does at
 * start; resolves with the versions it applied and the version now.
 */
export async function preparePgSchema(options: PgConnectionOptions): Promise<MigrationResult> {
  const pool = createPgPool({ ...options, poolSize: 1 });
  try {
    const client = await pool.connect();
    try {
      return await migrate(client, options.schema === undefined ? {} : { schema: options.schema });
    } finally {
      client.release();
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('store_io', `Could not prepare PostgreSQL ${redactedUrl(options.url)}: ${String(error)}`, {
      cause: error,
    });
  } finally {
    await pool.end();
  }
}

/** How to connect to the store's database: bigint read as number, working inside the store's schema. */
export function pgClientConfig(options: PgConnectionOptions): pg.ClientConfig {
  const schema = options.schema;
  return {
    connectionString: options.url,
    types,
    ...(schema !== undefined && { options: `-c search_path=${quoteIdent(schema)}` }),
  };
}

/** A pool on the store's database (see pgClientConfig). */
export function createPgPool(options: PgConnectionOptions): pg.Pool {
  return new pg.Pool({ ...pgClientConfig(options), max: options.poolSize ?? 4 });
}
