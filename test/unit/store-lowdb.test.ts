import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MANIFEST_VERSION } from '../../src/store/manifest.js';
import { StoreError } from '../../src/store/store-error.js';
import type { StoreOptions } from '../../src/store/store-options.js';
import type { Store } from '../../src/store/store.js';
import { runStoreContract } from '../helpers/store-contract.js';
import { logFiles } from '../helpers/store-log.js';
import { VERSION_1_FILES, writeVersion1Store } from '../helpers/store-v1-fixture.js';

async function createTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'threadline-store-'));
}

runStoreContract('lowdb', async (options) => {
  const dir = await createTempDir();
  const path = join(dir, 'threadline.json');
  let current: Store = await openLowdbStore({ ...options, path });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openLowdbStore({ ...options, path });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** A store in a fresh directory with one committed conversation, link, journal entry and dedupe key. */
async function openFilled(t: TestContext, options: StoreOptions = {}): Promise<{ dir: string; path: string }> {
  const dir = await createTempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'threadline.json');
  const store = await openLowdbStore({ path, pruneIntervalMs: 0, ...options });
  store.conversations.upsert(
    { line: '+1555', chat: 'cht_1' },
    { threads: { slack: { channel: 'C1', thread: '1.1' } } },
  );
  store.links.create({ conversation: { line: '+1555', chat: 'cht_1' }, origin: 'imessage', imessage: { id: 'msg_1' } });
  store.journal.append({ kind: 'k', payload: { n: 1 } });
  store.dedupe.claim('d', 60_000);
  await store.close();
  return { dir, path };
}

async function rejectsCorrupt(path: string, file: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(openLowdbStore({ path, pruneIntervalMs: 0 }), (error) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'store_corrupt');
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('lowdb store files', () => {
  it('writes a manifest at store.path and shards beside it as <name>.<shard>.json', async (t) => {
    const { dir } = await openFilled(t);
    const files = await readdir(dir);
    assert.ok(files.includes('threadline.json'));
    for (const shard of ['threadline.links-000000.json', 'threadline.journal-000000.json', 'threadline.cursors.json']) {
      assert.ok(files.includes(shard), `${shard} in ${files.join(', ')}`);
    }
    assert.ok(files.some((file) => /^threadline\.conversations-[01]+\.json$/.test(file)));
    const manifest = JSON.parse(await readFile(join(dir, 'threadline.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.format, 'threadline-store');
    assert.equal(manifest.version, 2);
    assert.deepEqual(manifest.layout, { linksPerSegment: 1024, journalPerSegment: 256, effectsPerSegment: 256 });
    assert.equal(manifest.batch, 1, 'the one commit was batch 1');
    const journal = JSON.parse(await readFile(join(dir, 'threadline.journal-000000.json'), 'utf8')) as {
      batch: number;
      data: { segment: number; entries: { payload: unknown }[] };
    };
    assert.equal(journal.batch, 1, 'a shard file is stamped with the batch its content is from');
    assert.equal(journal.data.segment, 0);
    assert.deepEqual(
      journal.data.entries.map((entry) => entry.payload),
      [{ n: 1 }],
    );
    assert.deepEqual(await logFiles(dir), [], 'a clean close leaves no log');
  });

  it('makes data durable at commit(), without waiting for close', async (t) => {
    const dir = await createTempDir();
    const copy = await createTempDir();
    const path = join(dir, 'threadline.json');
    const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    const seq = store.journal.append({ kind: 'webhook', payload: { id: 'dlv_1' } });
    store.links.create({
      conversation: { line: '+1555', chat: 'cht_1' },
      origin: 'imessage',
      imessage: { id: 'msg_7' },
    });
    await store.commit();
    // What a crash right now would leave: the files as they are, the log included.
    await cp(dir, copy, { recursive: true });
    assert.equal((await logFiles(copy)).length, 1);
    const reader = await openLowdbStore({ path: join(copy, 'threadline.json'), pruneIntervalMs: 0 });
    t.after(async () => {
      await reader.close();
      await rm(copy, { recursive: true, force: true });
    });
    assert.deepEqual(
      reader.journal.pending().map((entry) => entry.seq),
      [seq],
    );
    assert.ok(reader.links.findByIMessageId('msg_7'));
  });

  it('ignores and deletes temp files and unlisted shards left by a crash', async (t) => {
    const { dir, path } = await openFilled(t);
    await writeFile(join(dir, '.threadline.links-000000.json.tmp'), '{"segment":0,"rows":"half');
    await writeFile(join(dir, '.threadline.json.tmp'), '');
    await writeFile(join(dir, 'threadline.links-000042.json'), '{"segment":42,"rows":""}');
    await writeFile(join(dir, 'unrelated.json'), '{}');
    const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(() => store.close());
    assert.ok(store.links.findByIMessageId('msg_1'));
    assert.equal(store.journal.size, 1);
    const files = await readdir(dir);
    assert.equal(files.filter((file) => file.endsWith('.tmp')).length, 0);
    assert.equal(files.includes('threadline.links-000042.json'), false);
    assert.ok(files.includes('unrelated.json'), 'files that are not ours are left alone');
  });

  it('refuses a shard that is not JSON, naming the file', async (t) => {
    const { dir, path } = await openFilled(t);
    const file = join(dir, 'threadline.journal-000000.json');
    await writeFile(file, '{"segment":0,"nextSeq":2,"entr');
    await rejectsCorrupt(path, file, /not valid JSON/);
    await writeFile(file, '');
    await rejectsCorrupt(path, file, /not valid JSON/);
  });

  it('refuses a shard whose content is not what the store writes, naming the file', async (t) => {
    const { dir, path } = await openFilled(t);
    const file = join(dir, 'threadline.links-000000.json');
    await writeFile(file, JSON.stringify({ segment: 0, rows: 'only|three|fields ' }));
    await rejectsCorrupt(path, file, /row 0: expected 12 fields/);
    await writeFile(file, JSON.stringify({ segment: 0, rows: ['an', 'array'] }));
    await rejectsCorrupt(path, file);
  });

  it('refuses a store whose manifest names a missing shard', async (t) => {
    const { dir, path } = await openFilled(t);
    const file = join(dir, 'threadline.cursors.json');
    await rm(file);
    await rejectsCorrupt(path, file, /missing/);
  });

  it('refuses shards without a manifest rather than starting empty', async (t) => {
    const { path } = await openFilled(t);
    await rm(path);
    await rejectsCorrupt(path, path, /manifest .* missing/);
  });

  it('refuses a manifest written by a newer version', async (t) => {
    const { path } = await openFilled(t);
    const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...manifest, version: MANIFEST_VERSION + 1 }));
    await rejectsCorrupt(path, path, /newer Threadline/);
  });

  it('keeps the layout it was created with when reopened with other options', async (t) => {
    const { path } = await openFilled(t, { linksPerSegment: 4 });
    const store = await openLowdbStore({ path, pruneIntervalMs: 0, linksPerSegment: 1024 });
    const ids = Array.from({ length: 6 }, (_, i) =>
      store.links.create({
        conversation: { line: 'l', chat: 'c' },
        origin: 'slack',
        slack: { channel: 'C', ts: `${i}` },
      }),
    );
    await store.close();
    const reader = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(() => reader.close());
    for (const link of ids) assert.deepEqual(reader.links.get(link.id), link);
  });

  it('opens a version 1 store (no log, unstamped shards) and upgrades its manifest at once', async (t) => {
    const dir = await createTempDir();
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeVersion1Store(dir);
    const path = join(dir, 'threadline.json');
    const key = { line: '+15550001111', chat: 'cht_v1' };
    // The fixture's time, so that its link is not past retention.
    const options = { path, pruneIntervalMs: 0, now: () => 1_700_000_100_000 };
    const store = await openLowdbStore(options);
    assert.deepEqual(store.conversations.get(key)?.participants, ['+15552223333']);
    assert.equal(store.conversations.findByThread('slack', 'C1', '1.1')?.key.chat, 'cht_v1');
    assert.equal(store.links.findBySlack('C1', '2.2')?.imessage?.id, 'msg_v1');
    assert.deepEqual(
      store.journal.pending().map((entry) => entry.payload),
      [{ id: 'dlv_v1' }],
    );
    assert.deepEqual(
      store.effects.list().map((effect) => effect.op),
      [{ post: 1 }],
    );
    assert.equal(store.dedupe.has('dlv_v1'), true);
    assert.deepEqual(store.cursors.get('+15550001111'), { lastSentAt: 5, lastMessageId: 'msg_v1' });
    const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.version, MANIFEST_VERSION, 'an older Threadline now refuses the store');
    const untouched = 'threadline.links-000000.json';
    assert.equal(await readFile(join(dir, untouched), 'utf8'), VERSION_1_FILES[untouched], 'shards stay as they are');
    store.journal.complete(1);
    store.links.create({ conversation: key, origin: 'slack', slack: { channel: 'C1', ts: '3.3' } });
    await store.close();
    const reopened = await openLowdbStore(options);
    t.after(() => reopened.close());
    assert.equal(reopened.journal.size, 0);
    assert.equal(reopened.links.findBySlack('C1', '2.2')?.imessage?.id, 'msg_v1');
    assert.ok(reopened.links.findBySlack('C1', '3.3'));
    assert.equal(reopened.dedupe.has('dlv_v1'), true);
    const links = JSON.parse(await readFile(join(dir, untouched), 'utf8')) as { batch: number };
    assert.ok(links.batch > 0, 'a shard written by a checkpoint is stamped');
  });

  it('ignores a torn record at the end of the log: the commits before it are there', async (t) => {
    const { dir, path, log } = await crashImage(t);
    await appendFile(log, '312 0badc0de {"batch":9,"shards":{"cursors":{"cur');
    const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(() => store.close());
    assert.ok(store.links.findByIMessageId('msg_2'));
    assert.equal(store.journal.size, 2);
    await store.close();
    assert.deepEqual(await logFiles(dir), [], 'the checkpoint on close deleted the torn log');
  });

  it('refuses a log whose damaged record is not the last, naming the file', async (t) => {
    const { path, log } = await crashImage(t);
    const text = await readFile(log, 'utf8');
    const [first = '', ...rest] = text.split('\n');
    await writeFile(log, [first.replace('msg_2', 'msg_3'), ...rest].join('\n'));
    await rejectsCorrupt(path, log, /bad record at byte 0/);
  });

  it('refuses logs without a manifest rather than starting empty', async (t) => {
    const { path, log } = await crashImage(t);
    for (const file of await readdir(dirname(path))) {
      if (file.endsWith('.json')) await rm(join(dirname(path), file));
    }
    await rejectsCorrupt(path, path, new RegExp(`manifest .* missing .*${log.replaceAll('.', '\\.')}`));
  });
});

/**
 * A filled store with two more commits only in its log (`msg_2` and `msg_3`, two journal entries in all),
 * copied while still open: what a crash leaves.
 */
async function crashImage(t: TestContext): Promise<{ dir: string; path: string; log: string }> {
  const { dir: source, path: sourcePath } = await openFilled(t);
  const store = await openLowdbStore({ path: sourcePath, pruneIntervalMs: 0 });
  store.links.create({ conversation: { line: '+1555', chat: 'cht_1' }, origin: 'imessage', imessage: { id: 'msg_2' } });
  await store.commit();
  store.journal.append({ kind: 'k', payload: { n: 2 } });
  store.links.create({ conversation: { line: '+1555', chat: 'cht_1' }, origin: 'imessage', imessage: { id: 'msg_3' } });
  await store.commit();
  const dir = await createTempDir();
  await cp(source, dir, { recursive: true });
  await store.close();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [log = ''] = await logFiles(dir);
  return { dir, path: join(dir, 'threadline.json'), log: join(dir, log) };
}
