import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { StoreError } from '../../src/store/store-error.js';
import type { StoreOptions } from '../../src/store/store-options.js';

export async function createTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'threadline-store-'));
}

/** A store in a fresh directory with one committed conversation, link, journal entry and dedupe key. */
export async function openFilled(t: TestContext, options: StoreOptions = {}): Promise<{ dir: string; path: string }> {
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

/** Asserts that opening the store at `path` fails with a `store_corrupt` StoreError naming `file`. */
export async function rejectsCorrupt(path: string, file: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(openLowdbStore({ path, pruneIntervalMs: 0 }), (error) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'store_corrupt');
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}
