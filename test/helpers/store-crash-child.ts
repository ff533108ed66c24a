/**
 * Child process for test/unit/store-crash.test.ts: `node --import tsx store-crash-child.ts <dir> <round>`.
 * Opens a lowdb store in `dir` and mutates it from several concurrent writers until killed. A line is
 * printed only after the commit holding the mutation resolved:
 *   `ok <round> <n> <seq>`  journal seq, link msg_<round>_<n>, conversation cht_<round>_<n>, dedupe key
 *                           d_<round>_<n> are durable
 *   `done <seq>`            the completion of that journal seq is durable
 * Small shards make splits, new segments, manifest rewrites and deletions frequent.
 */
import { join } from 'node:path';
import { openLowdbStore } from '../../src/store/lowdb-store.js';

const WRITERS = 4;
const [dir = '', round = '0'] = process.argv.slice(2);

const store = await openLowdbStore({
  path: join(dir, 'threadline.json'),
  pruneIntervalMs: 0,
  // No window: flushes run back to back, so the kill lands in the middle of one.
  commitWindowMs: 0,
  conversationsPerShard: 4,
  linksPerSegment: 16,
  journalPerSegment: 8,
  dedupePerSegment: 8,
});

let next = 0;
const committed: number[] = [];

async function write(): Promise<void> {
  for (;;) {
    const n = next++;
    const seq = store.journal.append({ kind: 'crash', payload: { round, n, text: 'x'.repeat(200) } });
    const conversation = { line: '+15550000000', chat: `cht_${round}_${n}` };
    store.conversations.upsert(conversation, { participants: [`p${n}`], lastActivityAt: n });
    store.conversations.upsert({ line: '+15550000000', chat: `cht_${round}_${n % 7}` }, { lastActivityAt: n });
    store.links.create({ conversation, origin: 'imessage', imessage: { id: `msg_${round}_${n}` } });
    store.dedupe.claim(`d_${round}_${n}`, 3_600_000);
    const completed = n % 3 === 0 ? committed.shift() : undefined;
    if (completed !== undefined) store.journal.complete(completed);
    await store.commit();
    committed.push(seq);
    process.stdout.write(`ok ${round} ${n} ${seq}\n`);
    if (completed !== undefined) process.stdout.write(`done ${completed}\n`);
  }
}

await Promise.all(Array.from({ length: WRITERS }, write));
