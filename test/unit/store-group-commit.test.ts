import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock, type TestContext } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryVolume } from '../../src/store/memory-volume.js';
import { openMemoryStore } from '../../src/store/memory-store.js';
import { ShardedStore } from '../../src/store/sharded-store.js';
import type { StoreOptions } from '../../src/store/store-options.js';
import type { Store } from '../../src/store/store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { copyVolume } from '../helpers/store-faulty-volume.js';
import { logFiles, readLogRecords } from '../helpers/store-log.js';

/** A store in a temp dir that records the name of every file each commit writes. */
async function openCounted(
  t: TestContext,
  options: StoreOptions = {},
): Promise<{ store: Store; writes: string[]; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'threadline-commit-'));
  const writes: string[] = [];
  const store = await openLowdbStore({
    path: join(dir, 'threadline.json'),
    pruneIntervalMs: 0,
    onFileWrite: (name) => writes.push(name),
    ...options,
  });
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  writes.length = 0;
  return { store, writes, dir };
}

/** Lets pending I/O callbacks and microtasks run without waiting on a clock. */
async function turnEventLoop(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('store group commit', () => {
  it('logs the mutations of one window as one record: one append, no shard file written', async (t) => {
    const { store, writes, dir } = await openCounted(t);
    for (let i = 0; i < 200; i++) store.journal.append({ kind: 'webhook', payload: { i } });
    for (let i = 0; i < 100; i++) {
      store.links.create({
        conversation: { line: 'l', chat: `c${i % 10}` },
        origin: 'imessage',
        imessage: { id: `m${i}` },
      });
    }
    for (let i = 0; i < 30; i++) store.conversations.upsert({ line: 'l', chat: `c${i % 10}` }, { lastActivityAt: i });
    for (let i = 0; i < 50; i++) store.dedupe.claim(`k${i}`, 60_000);
    store.cursors.set('l', { lastSentAt: 1 });
    await store.commit();
    assert.deepEqual(writes, ['wal-000001']);
    const [record, ...more] = await readLogRecords(dir);
    assert.equal(more.length, 0);
    const shards = [...(record?.shards.keys() ?? []), ...(record?.deltas.keys() ?? [])];
    for (const name of ['journal-000000', 'links-000000', 'dedupe-000000', 'cursors']) {
      assert.ok(shards.includes(name), `${name} in ${shards.join(', ')}`);
    }
    const conversationShards = shards.filter((name) => name.startsWith('conversations-'));
    assert.ok(conversationShards.length > 0 && conversationShards.length <= 10);
    assert.ok(record?.list?.includes('dedupe-000000'), 'a new shard puts the shard list in the record');
  });

  it('writes each changed shard once at the checkpoint on close, then deletes the log', async (t) => {
    const { store, writes, dir } = await openCounted(t);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) store.journal.append({ kind: 'webhook', payload: { round, i } });
      store.cursors.set('l', { lastSentAt: round });
      await store.commit();
    }
    assert.deepEqual(writes, ['wal-000001', 'wal-000001', 'wal-000001']);
    writes.length = 0;
    await store.close();
    assert.deepEqual(writes.sort(), ['cursors', 'journal-000000', 'manifest']);
    assert.deepEqual(await logFiles(dir), []);
    const journal = JSON.parse(await readFile(join(dir, 'threadline.journal-000000.json'), 'utf8')) as {
      batch: number;
      data: { entries: unknown[] };
    };
    assert.equal(journal.batch, 3, 'stamped with the batch its content is from');
    assert.equal(journal.data.entries.length, 60);
  });

  it('logs only the conversation that changed, as a delta of its shard', async (t) => {
    const { store, writes, dir } = await openCounted(t, { conversationsPerShard: 8 });
    for (let i = 0; i < 200; i++) store.conversations.upsert({ line: 'l', chat: `c${i}` });
    await store.commit();
    writes.length = 0;
    store.conversations.upsert({ line: 'l', chat: 'c42' }, { displayName: 'Ana' });
    await store.commit();
    assert.deepEqual(writes, ['wal-000001']);
    const record = (await readLogRecords(dir)).at(-1);
    assert.equal(record?.shards.size, 0, 'no whole shard');
    const deltas = [...(record?.deltas ?? [])];
    assert.equal(deltas.length, 1, deltas.map(([name]) => name).join(', '));
    const [[name, delta] = ['', undefined]] = deltas;
    assert.match(name, /^conversations-[01]+$/);
    assert.equal(record?.list, undefined, 'the set of shards did not change');
    const { put } = delta as { put: { key: { chat: string }; displayName?: string }[] };
    assert.deepEqual(
      put.map((conversation) => [conversation.key.chat, conversation.displayName]),
      [['c42', 'Ana']],
      'only the conversation that changed',
    );
  });

  it('logs only the row of the link that changed', async (t) => {
    const { store, dir } = await openCounted(t, { linksPerSegment: 16 });
    const links = Array.from({ length: 100 }, (_, i) =>
      store.links.create({
        conversation: { line: 'l', chat: 'c' },
        origin: 'slack',
        slack: { channel: 'C', ts: `${i}` },
      }),
    );
    await store.commit();
    store.links.update(links[20]?.id ?? '', { delivery: 'sent' });
    await store.commit();
    const record = (await readLogRecords(dir)).at(-1);
    assert.deepEqual([...(record?.shards.keys() ?? [])], []);
    assert.deepEqual([...(record?.deltas.keys() ?? [])], ['links-000001']);
    const { rows } = record?.deltas.get('links-000001') as { rows: [number, string][] };
    assert.deepEqual(
      rows.map(([slot]) => slot),
      [4],
      'only the row of link 20 (slot 4 of the second segment of 16)',
    );
  });

  it('waits out the window before writing, then writes once', async (t) => {
    const writes: string[] = [];
    const counted = await openMemoryStore({
      pruneIntervalMs: 0,
      commitWindowMs: 5,
      onFileWrite: (name) => writes.push(name),
    });
    t.after(() => counted.close());
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    writes.length = 0;
    counted.cursors.set('a', { lastSentAt: 1 });
    let committed = false;
    const commit = counted.commit().then(() => (committed = true));
    counted.cursors.set('b', { lastSentAt: 2 });
    mock.timers.tick(4);
    await turnEventLoop();
    assert.equal(committed, false);
    assert.deepEqual(writes, []);
    mock.timers.tick(1);
    await commit;
    assert.deepEqual(writes, ['wal-000001']);
  });

  it('writes at once, without waiting out the window, when a window has many mutations', async (t) => {
    const writes: string[] = [];
    const store = await openMemoryStore({
      pruneIntervalMs: 0,
      commitWindowMs: 60_000,
      commitMaxBatch: 10,
      onFileWrite: (name) => writes.push(name),
    });
    t.after(() => store.close());
    writes.length = 0;
    for (let i = 0; i < 9; i++) store.dedupe.claim(`k${i}`, 1000);
    let committed = false;
    const commit = store.commit().then(() => (committed = true));
    await turnEventLoop();
    assert.equal(committed, false, 'nine mutations wait for the window');
    store.dedupe.claim('k9', 1000);
    await commit;
    assert.deepEqual(writes, ['wal-000001']);
  });

  it('rejects commit() when the append fails, keeps the data and logs it on retry, in a new log', async (t) => {
    class FlakyVolume extends MemoryVolume {
      failing = false;
      override appendLog(no: number, bytes: Uint8Array): Promise<void> {
        // A failed append may leave part of the record behind.
        if (this.failing)
          return super.appendLog(no, bytes.subarray(0, 10)).then(() => Promise.reject(new Error('disk full')));
        return super.appendLog(no, bytes);
      }
    }
    const volume = new FlakyVolume();
    const { log, lines } = captureLogs();
    const writes: string[] = [];
    const store = await ShardedStore.open(volume, {
      pruneIntervalMs: 0,
      logger: log,
      onFileWrite: (name) => writes.push(name),
    });
    t.after(() => store.close());
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    volume.failing = true;
    const seq = store.journal.append({ kind: 'k', payload: 1 });
    const failed = store.commit();
    mock.timers.tick(5);
    await assert.rejects(failed, /disk full/);
    assert.ok(lines.some((line) => line.level === 'error' && line.msg.includes('Store commit failed')));
    volume.failing = false;
    const retried = store.commit();
    mock.timers.tick(1000);
    await retried;
    assert.deepEqual(writes.slice(-1), ['wal-000002'], 'never appends after a record that may be torn');
    const reopened = await ShardedStore.open(await copyVolume(volume), { pruneIntervalMs: 0 });
    t.after(() => reopened.close());
    assert.deepEqual(
      reopened.journal.pending().map((entry) => entry.seq),
      [seq],
    );
  });

  it('rejects close() when the final flush cannot be written', async () => {
    class FullVolume extends MemoryVolume {
      full = false;
      override appendLog(no: number, bytes: Uint8Array): Promise<void> {
        return this.full ? Promise.reject(new Error('disk full')) : super.appendLog(no, bytes);
      }
    }
    const volume = new FullVolume();
    const store = await ShardedStore.open(volume, { pruneIntervalMs: 0 });
    volume.full = true;
    store.cursors.set('+1555', { lastSentAt: 1 });
    await assert.rejects(store.close(), /disk full/);
  });

  it('splits conversation shards as they grow and finds every conversation after a reopen', async (t) => {
    const { store, dir } = await openCounted(t, { conversationsPerShard: 4 });
    for (let i = 0; i < 300; i++) store.conversations.upsert({ line: 'l', chat: `c${i}` });
    await store.commit();
    // The checkpoint on close writes the shard files and the manifest.
    await store.close();
    const manifest = JSON.parse(await readFile(join(dir, 'threadline.json'), 'utf8')) as { shards: string[] };
    const shards = manifest.shards.filter((name) => name.startsWith('conversations-'));
    assert.ok(shards.length >= 300 / 4, `${shards.length} shards`);
    for (const shard of shards) {
      const file = JSON.parse(await readFile(join(dir, `threadline.${shard}.json`), 'utf8')) as {
        data: { conversations: unknown[] };
      };
      assert.ok(file.data.conversations.length <= 4, `${shard} holds ${file.data.conversations.length}`);
    }
    const reader = await openLowdbStore({ path: join(dir, 'threadline.json'), pruneIntervalMs: 0 });
    t.after(() => reader.close());
    assert.equal(reader.conversations.size, 300);
    for (let i = 0; i < 300; i += 17) assert.ok(reader.conversations.get({ line: 'l', chat: `c${i}` }));
  });
});
