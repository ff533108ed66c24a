import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { importIntoPg } from '../../src/store/pg-import.js';
import { PgStore } from '../../src/store/pg-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { exportLines } from '../../src/store/store-export.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../helpers/pg-server.js';
import { createTempDir } from '../helpers/store-files.js';

const unavailable = await pgUnavailable();
const key = { line: '+15551234567', chat: 'cht_1' };

/** Everything a store holds, through its interface. */
function contents(store: Store) {
  return {
    conversations: store.conversations.list(),
    links: store.links.list(),
    journal: store.journal.pending(),
    effects: store.effects.list(),
    dedupe: store.dedupe.entries(),
    cursors: store.cursors.list(),
  };
}

describe('moving from the embedded store to PostgreSQL', { skip: unavailable }, () => {
  it('carries every row, id and pending piece of work over, and numbering continues after them', async (t) => {
    const dir = await createTempDir();
    const schema = freshSchema();
    t.after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });
    const lowdb = await openLowdbStore({ path: join(dir, 'threadline.json'), pruneIntervalMs: 0 });
    lowdb.conversations.upsert(key, {
      participants: ['+15559876543'],
      displayName: 'Ana',
      threads: { slack: { channel: 'C1', thread: '100.1' }, discord: { channel: 'D1', thread: '900' } },
    });
    const first = lowdb.links.create({ conversation: key, origin: 'imessage', imessage: { id: 'msg_1', guid: 'G1' } });
    lowdb.links.update(first.id, { slack: { channel: 'C1', ts: '100.2' } });
    lowdb.links.create({
      conversation: key,
      origin: 'slack',
      slack: { channel: 'C1', ts: '100.3' },
      delivery: 'pending',
    });
    lowdb.journal.append({ kind: 'ingress', payload: { text: 'pending', n: null } });
    const effect = lowdb.effects.append({ lane: 'l', destination: 'slack:C1', op: { kind: 'post' } });
    lowdb.effects.update(effect.id, { attempts: 2, lastError: { code: 'timeout', message: 'slow', at: 5 } });
    lowdb.dedupe.claim('imessage:dlv_1', 60_000);
    lowdb.cursors.set(key.line, { lastSentAt: 42, lastMessageId: 'msg_1' });
    await lowdb.commit();
    const lines = [...exportLines(lowdb)];
    const before = contents(lowdb);
    await lowdb.close();

    const result = await importIntoPg({ url: pgTestUrl, schema }, Readable.from(lines));
    assert.deepEqual(result.rows, { conversations: 1, links: 2, journal: 1, effects: 1, dedupe: 1, cursors: 1 });
    const pg = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    t.after(() => pg.close());
    assert.deepEqual(contents(pg), before);
    assert.equal(pg.links.findBySlack('C1', '100.2')?.id, first.id);
    const next = pg.links.create({ conversation: key, origin: 'slack', slack: { channel: 'C1', ts: '9.9' } });
    assert.equal(
      before.links.some((link) => link.id === next.id),
      false,
      'link ids continue after the imported ones',
    );
    assert.ok(pg.effects.append({ lane: 'l', destination: 'd', op: 1 }).id > effect.id);
    assert.ok(pg.journal.append({ kind: 'k', payload: 1 }) > before.journal[0]!.seq);
  });

  it('refuses a database that already holds data, and input that is not an export, changing nothing', async (t) => {
    const schema = freshSchema();
    t.after(() => dropSchema(schema));
    const store = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    store.conversations.upsert(key);
    await store.close();
    const header = JSON.stringify({ format: 'threadline-store-export', version: 1, exportedAt: 1 });
    await assert.rejects(
      importIntoPg({ url: pgTestUrl, schema }, Readable.from([header])),
      (error) => error instanceof StoreError && error.code === 'store_not_empty',
    );
    const other = freshSchema();
    t.after(() => dropSchema(other));
    await assert.rejects(
      importIntoPg({ url: pgTestUrl, schema: other }, Readable.from(['{"hello":1}'])),
      /not a threadline-store-export header/,
    );
    await assert.rejects(
      importIntoPg(
        { url: pgTestUrl, schema: other },
        Readable.from([
          header,
          JSON.stringify({
            table: 'conversations',
            row: { key, participants: [], threads: {}, createdAt: 1, lastActivityAt: 1 },
          }),
          'oops',
        ]),
      ),
      /Line 3 of the export is not a JSON object/,
    );
    const check = await PgStore.open({ url: pgTestUrl, schema: other, pruneIntervalMs: 0 });
    t.after(() => check.close());
    assert.equal(check.conversations.size, 0, 'a failed import leaves nothing behind');
  });
});
