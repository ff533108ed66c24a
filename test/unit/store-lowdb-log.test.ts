import assert from 'node:assert/strict';
import { appendFile, cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { frameRecord } from '../../src/store/log-frame.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MANIFEST_VERSION } from '../../src/store/manifest.js';
import { createTempDir, openFilled, rejectsCorrupt } from '../helpers/store-files.js';
import { logFiles } from '../helpers/store-log.js';
import { VERSION_1_FILES, writeVersion1Store } from '../helpers/store-v1-fixture.js';

describe('lowdb store write-ahead log', () => {
  it('with fsync off, still makes each commit one log record that a reopen replays', async (t) => {
    const { dir, path } = await openFilled(t);
    const store = await openLowdbStore({ path, pruneIntervalMs: 0, fsync: false });
    store.links.create({
      conversation: { line: '+1555', chat: 'cht_1' },
      origin: 'imessage',
      imessage: { id: 'msg_9' },
    });
    await store.commit();
    const copy = await createTempDir();
    await cp(dir, copy, { recursive: true });
    await store.close();
    const reader = await openLowdbStore({ path: join(copy, 'threadline.json'), pruneIntervalMs: 0 });
    t.after(async () => {
      await reader.close();
      await rm(copy, { recursive: true, force: true });
    });
    assert.ok(reader.links.findByIMessageId('msg_9'));
  });

  it('deletes logs older than the first one the manifest needs, unread, and leaves other files alone', async (t) => {
    const { dir, path } = await openFilled(t);
    const manifest = JSON.parse(await readFile(path, 'utf8')) as { log: number };
    assert.ok(manifest.log > 1);
    // Not a log anyone may read: a damaged record before a good one.
    const old = Buffer.concat([Buffer.from('garbage\n'), frameRecord('{"batch":99,"shards":{},"removed":[]}')]);
    await writeFile(join(dir, 'threadline.wal-000001.log'), old);
    await writeFile(join(dir, 'other.wal-000001.log'), old);
    await writeFile(join(dir, 'threadline.wal-latest.log'), old);
    const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(() => store.close());
    assert.equal(store.journal.size, 1);
    const files = await readdir(dir);
    assert.equal(files.includes('threadline.wal-000001.log'), false);
    assert.ok(files.includes('other.wal-000001.log') && files.includes('threadline.wal-latest.log'));
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
