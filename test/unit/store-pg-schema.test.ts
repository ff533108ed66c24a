import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { PgStore } from '../../src/store/pg-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../helpers/pg-server.js';

const unavailable = await pgUnavailable();

/** A fresh schema, dropped after the test, and a client inside it for looking at the tables. */
async function schemaFor(t: TestContext): Promise<{ schema: string; sql: pg.Client }> {
  const schema = freshSchema();
  const sql = new pg.Client({ connectionString: pgTestUrl, options: `-c search_path="${schema}"` });
  await sql.connect();
  t.after(async () => {
    await sql.end();
    await dropSchema(schema);
  });
  return { schema, sql };
}

describe('PostgreSQL store: schema and failures', { skip: unavailable }, () => {
  it('migrates once when two replicas open a new database together', async (t) => {
    const { schema, sql } = await schemaFor(t);
    const stores = await Promise.all([1, 2].map(() => PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 })));
    t.after(() => Promise.all(stores.map((store) => store.close())));
    const { rows } = await sql.query<{ version: number }>('SELECT version FROM threadline_migrations');
    assert.deepEqual(
      rows.map((row) => row.version),
      [1],
    );
  });

  it('refuses a schema written by a newer Threadline, and names the fix', async (t) => {
    const { schema, sql } = await schemaFor(t);
    await (await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 })).close();
    await sql.query("INSERT INTO threadline_migrations (version, name) VALUES (99, 'from the future')");
    await assert.rejects(
      PgStore.open({ url: pgTestUrl, schema }),
      (error) =>
        error instanceof StoreError &&
        error.code === 'store_schema' &&
        /version 99.*run the newer version/.test(error.message),
    );
  });

  it('reports a server it cannot reach as store_io, without the password', async () => {
    await assert.rejects(
      PgStore.open({ url: 'postgres://tl:hunter2@127.0.0.1:1/test' }),
      (error) =>
        error instanceof StoreError &&
        error.code === 'store_io' &&
        error.message.includes('127.0.0.1:1') &&
        !error.message.includes('hunter2'),
    );
  });

  it('keeps what a failed commit held and writes it on the retry', async (t) => {
    const { schema, sql } = await schemaFor(t);
    const store = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    t.after(() => store.close());
    await sql.query("ALTER TABLE journal ADD CONSTRAINT refuse CHECK (kind <> 'refused')");
    const seq = store.journal.append({ kind: 'refused', payload: { n: 1 } });
    store.dedupe.claim('imessage:dlv_1', 60_000);
    await assert.rejects(store.commit(), (error) => error instanceof StoreError && error.code === 'store_io');
    const before = await sql.query('SELECT key FROM dedupe');
    assert.equal(before.rowCount, 0, 'the whole window failed together');
    await sql.query('ALTER TABLE journal DROP CONSTRAINT refuse');
    await store.commit();
    const journal = await sql.query<{ seq: string }>('SELECT seq FROM journal');
    assert.deepEqual(
      journal.rows.map((row) => Number(row.seq)),
      [seq],
    );
    const dedupe = await sql.query<{ key: string }>('SELECT key FROM dedupe');
    assert.deepEqual(
      dedupe.rows.map((row) => row.key),
      ['imessage:dlv_1'],
    );
  });

  it('stores a NUL (which PostgreSQL refuses) as U+FFFD instead of failing every commit, and keeps a literal backslash-u0000', async (t) => {
    const { schema } = await schemaFor(t);
    const store = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    store.journal.append({ kind: 'ingress', payload: { text: 'a\u0000b', literal: '\\u0000' } });
    store.cursors.set('+1555', { lastSentAt: 1, lastMessageId: 'msg\u0000' });
    await store.commit();
    await store.close();
    const reopened = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    t.after(() => reopened.close());
    assert.deepEqual(reopened.journal.pending()[0]?.payload, { text: 'a\ufffdb', literal: '\\u0000' });
    assert.deepEqual(reopened.cursors.get('+1555'), { lastSentAt: 1, lastMessageId: 'msg\ufffd' });
  });
});
