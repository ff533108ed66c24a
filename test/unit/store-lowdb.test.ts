import assert from 'node:assert/strict';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MANIFEST_VERSION } from '../../src/store/manifest.js';
import type { Store } from '../../src/store/store.js';
import { runStoreContract } from '../helpers/store-contract.js';
import { createTempDir, openFilled, rejectsCorrupt } from '../helpers/store-files.js';
import { logFiles } from '../helpers/store-log.js';

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

  it('keeps no empty journal segment behind the last: a journal emptied as fast as it fills stays one file', async (t) => {
    const dir = await createTempDir();
    const path = join(dir, 'threadline.json');
    const store = await openLowdbStore({ path, pruneIntervalMs: 0, journalPerSegment: 4 });
    for (let n = 0; n < 40; n++) {
      store.journal.complete(store.journal.append({ kind: 'ingress', payload: { n } }));
      await store.commit();
    }
    const seq = store.journal.append({ kind: 'ingress', payload: { n: 40 } });
    await store.close();
    const journals = (await readdir(dir)).filter((file) => file.includes('.journal-'));
    assert.deepEqual(journals, ['threadline.journal-000010.json']);
    const reader = await openLowdbStore({ path, pruneIntervalMs: 0 });
    t.after(async () => {
      await reader.close();
      await rm(dir, { recursive: true, force: true });
    });
    assert.deepEqual(
      reader.journal.pending().map((entry) => entry.seq),
      [seq],
    );
    assert.equal(reader.journal.append({ kind: 'ingress', payload: {} }), seq + 1, 'keys stay monotonic');
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
});
