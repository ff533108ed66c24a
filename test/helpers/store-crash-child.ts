/**
 * Child process for test/unit/store-crash.test.ts: `node --import tsx store-crash-child.ts <dir> <round>`.
 * Opens a lowdb store in `dir` and mutates it from several concurrent writers until killed. Each step
 * `n` is one batch across every table: journal entry, effect, dedupe key `d_<round>_<n>`, link
 * `msg_<round>_<n>`, conversation `cht_<round>_<n>`; every third step also completes the journal entry
 * and the effect of an earlier step, together. Lines printed (stdout to a pipe is synchronous):
 *   `completing <n>`             before the commit that completes step n's journal entry and effect
 *   `ok <round> <n> <seq> <id>`  step n (journal seq, effect id) is durable
 *   `done <n>`                   the completion of step n is durable
 * Small shards and a small log make splits, new segments, removals and checkpoints frequent.
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
  checkpointBytes: 64 * 1024,
  conversationsPerShard: 4,
  linksPerSegment: 16,
  journalPerSegment: 8,
  effectsPerSegment: 8,
  dedupePerSegment: 8,
});

let next = 0;
const committed: { n: number; seq: number; effect: number }[] = [];

async function write(): Promise<void> {
  for (;;) {
    const n = next++;
    const seq = store.journal.append({ kind: 'crash', payload: { round, n, text: 'x'.repeat(200) } });
    const effect = store.effects.append({ lane: `lane${n % 4}`, destination: 'slack:C1', op: { round, n } }).id;
    const conversation = { line: '+15550000000', chat: `cht_${round}_${n}` };
    store.conversations.upsert(conversation, { participants: [`p${n}`], lastActivityAt: n });
    store.conversations.upsert({ line: '+15550000000', chat: `cht_${round}_${n % 7}` }, { lastActivityAt: n });
    store.links.create({ conversation, origin: 'imessage', imessage: { id: `msg_${round}_${n}` } });
    store.dedupe.claim(`d_${round}_${n}`, 3_600_000);
    const completed = n % 3 === 0 ? committed.shift() : undefined;
    if (completed) {
      process.stdout.write(`completing ${completed.n}\n`);
      store.journal.complete(completed.seq);
      store.effects.complete(completed.effect);
    }
    await store.commit();
    committed.push({ n, seq, effect });
    process.stdout.write(`ok ${round} ${n} ${seq} ${effect}\n`);
    if (completed) process.stdout.write(`done ${completed.n}\n`);
  }
}

await Promise.all(Array.from({ length: WRITERS }, write));
