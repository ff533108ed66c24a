import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { PgStore } from '../../src/store/pg-store.js';
import { runThreadline } from '../helpers/daemon-process.js';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../helpers/pg-server.js';
import { createTempDir } from '../helpers/store-files.js';

const skip = await pgUnavailable();
const base = 'imessage: { apiUrl: "http://127.0.0.1:9", apiKey: sk_test, webhookSecret: whsec_test }';

async function threadline(args: string[], config: string, stdin?: string) {
  const run = await runThreadline({ args, config, ...(stdin !== undefined && { stdin }) });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('threadline migrate and store export | import', { skip }, () => {
  it('moves an embedded store into PostgreSQL with every id and pending effect, and migrates by hand', async (t) => {
    const dir = await createTempDir();
    const schema = freshSchema('cli');
    t.after(async () => {
      await rm(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });
    const path = join(dir, 'threadline.json');
    const lowdb = await openLowdbStore({ path, pruneIntervalMs: 0 });
    const key = { line: '+15551234567', chat: 'cht_1' };
    lowdb.conversations.upsert(key, { threads: { slack: { channel: 'C1', thread: '1.1' } } });
    const link = lowdb.links.create({ conversation: key, origin: 'imessage', imessage: { id: 'msg_1' } });
    const effect = lowdb.effects.append({ lane: 'l', destination: 'slack:C1', op: { kind: 'post', linkId: link.id } });
    await lowdb.close();

    const lowdbConfig = `${base}\nstore: { path: ${path} }`;
    // Trust auth ignores the password: it is there to prove it is never printed.
    const withPassword = pgTestUrl.replace('postgres@', 'postgres:hunter2@');
    const pgConfig = `${base}\nstore: { url: "${withPassword}", schema: ${schema} }`;
    const noUrl = await threadline(['migrate'], lowdbConfig);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /store\.url is not set/);
    const migrated = await threadline(['migrate'], pgConfig);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Migrated .* to schema version 1 \(applied 1\)/);
    assert.ok(!`${migrated.stdout}${migrated.stderr}`.includes('hunter2'), 'no password printed');
    const again = await threadline(['migrate'], pgConfig);
    assert.match(again.stdout, /is up to date \(schema version 1\)/);

    const exported = await threadline(['store', 'export'], lowdbConfig);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout.trim().split('\n').length, 4, 'a header, a conversation, a link, an effect');
    const imported = await threadline(['store', 'import'], pgConfig, exported.stdout);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /1 conversations, 1 links, 0 journal, 1 effects/);

    const pg = await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0 });
    t.after(() => pg.close());
    assert.deepEqual(pg.conversations.findByThread('slack', 'C1', '1.1')?.key, key);
    assert.equal(pg.links.findByIMessageId('msg_1')?.id, link.id);
    assert.deepEqual(pg.effects.get(effect.id)?.op, { kind: 'post', linkId: link.id });

    const twice = await threadline(['store', 'import'], pgConfig, exported.stdout);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already holds/);
    const garbage = await threadline(
      ['store', 'import'],
      `${base}\nstore: { url: "${pgTestUrl}", schema: ${schema}x }`,
      'hello\n',
    );
    t.after(() => dropSchema(`${schema}x`));
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /not a JSON object/);
  });
});
