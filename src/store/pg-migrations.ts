import type { PoolClient } from 'pg';
import { StoreError } from './store-error.js';

/** One schema change: applied once, in version order, and recorded in `threadline_migrations`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, as the changes that built it. Never edit a released migration: add the next one. Times are
 * Unix ms (bigint), as the store's interface speaks them.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables',
    sql: `
      CREATE TABLE conversations (
        line text NOT NULL,
        chat text NOT NULL,
        participants jsonb NOT NULL,
        display_name text,
        is_group boolean,
        slack_channel text,
        slack_thread text,
        discord_channel text,
        discord_thread text,
        created_at bigint NOT NULL,
        last_activity_at bigint NOT NULL,
        PRIMARY KEY (line, chat)
      );
      CREATE INDEX conversations_slack_thread ON conversations (slack_channel, slack_thread)
        WHERE slack_thread IS NOT NULL;
      CREATE INDEX conversations_discord_thread ON conversations (discord_channel, discord_thread)
        WHERE discord_thread IS NOT NULL;

      CREATE TABLE links (
        no bigint PRIMARY KEY,
        line text NOT NULL,
        chat text NOT NULL,
        origin text NOT NULL,
        imessage_id text,
        imessage_guid text,
        outbox_id text,
        slack_channel text,
        slack_ts text,
        discord_channel text,
        discord_id text,
        delivery text,
        created_at bigint NOT NULL
      );
      CREATE INDEX links_imessage_id ON links (imessage_id) WHERE imessage_id IS NOT NULL;
      CREATE INDEX links_imessage_guid ON links (imessage_guid) WHERE imessage_guid IS NOT NULL;
      CREATE INDEX links_outbox_id ON links (outbox_id) WHERE outbox_id IS NOT NULL;
      CREATE INDEX links_slack ON links (slack_channel, slack_ts) WHERE slack_ts IS NOT NULL;
      CREATE INDEX links_discord_id ON links (discord_id) WHERE discord_id IS NOT NULL;
      CREATE INDEX links_created_at ON links (created_at);

      CREATE SEQUENCE journal_seq;
      CREATE TABLE journal (
        seq bigint PRIMARY KEY DEFAULT nextval('journal_seq'),
        kind text NOT NULL,
        -- NULL is the JSON value null (jsonb_to_recordset reads a JSON null as SQL NULL).
        payload jsonb,
        appended_at bigint NOT NULL
      );
      ALTER SEQUENCE journal_seq OWNED BY journal.seq;

      CREATE TABLE effects (
        id bigint PRIMARY KEY,
        lane text NOT NULL,
        destination text NOT NULL,
        op jsonb,
        created_at bigint NOT NULL,
        attempts integer NOT NULL,
        attempted_at bigint,
        not_before bigint,
        progress integer,
        last_error jsonb,
        dead_at bigint
      );
      CREATE INDEX effects_lane ON effects (lane, id);
      CREATE INDEX effects_dead_at ON effects (dead_at) WHERE dead_at IS NOT NULL;

      CREATE TABLE dedupe (
        key text PRIMARY KEY,
        expires_at bigint NOT NULL
      );
      CREATE INDEX dedupe_expires_at ON dedupe (expires_at);

      CREATE TABLE cursors (
        line text PRIMARY KEY,
        last_sent_at bigint NOT NULL,
        last_message_id text
      );

      -- Numbers that must never be handed out twice, even after every row that used them is gone.
      CREATE TABLE counters (
        name text PRIMARY KEY,
        value bigint NOT NULL
      );

      -- The replica that executes effects (one row). epoch grows with every takeover; the sender's
      -- commits check it, so a replica that lost the role cannot write what only the sender writes.
      CREATE TABLE sender (
        id integer PRIMARY KEY CHECK (id = 1),
        epoch bigint NOT NULL,
        replica text NOT NULL,
        since bigint NOT NULL
      );
    `,
  },
];

/** Any 64-bit number unique to Threadline: the advisory lock two replicas starting together meet on. */
const MIGRATION_LOCK = 7_403_551_920_113_301;

export interface MigrationResult {
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
  /** The schema version now. */
  readonly version: number;
}

/**
 * Brings the schema up to date, inside one transaction under an advisory lock: replicas starting together
 * wait for each other, and the second finds nothing left to do. A database written by a newer Threadline
 * (a version this one does not know) is refused rather than used.
 */
export async function migrate(
  client: PoolClient,
  options: { schema?: string; migrations?: readonly Migration[] } = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Under the lock: two replicas creating the schema together would otherwise collide.
    if (options.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS threadline_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM threadline_migrations');
    const done = new Set(rows.map((row) => row.version));
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new StoreError(
        'store_schema',
        `The database's Threadline schema is version ${newest}, newer than this Threadline knows (${known}): ` +
          'run the newer version, or restore a backup taken before the upgrade',
      );
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO threadline_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(newest, ...applied) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** An SQL identifier, quoted; only plain names are accepted (schema names come from config). */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new StoreError('store_io', `Expected a schema name of letters, digits and _, got ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}
