import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import type { Store } from '../../src/store/store.js';

const CHILD = fileURLToPath(new URL('../helpers/store-crash-child.ts', import.meta.url));
const KILL_AFTER = 120;
/** Steps the child may have begun beyond those it reported (its writers each have one in flight). */
const IN_FLIGHT = 16;

interface Reported {
  /** n → journal seq and effect id, for every step the child saw committed. */
  readonly committed: Map<number, { seq: number; effect: number }>;
  /** Steps whose completion the child began to commit. */
  readonly completing: Set<number>;
  /** Steps whose completion the child saw committed. */
  readonly completed: Set<number>;
}

/** Runs the child on `dir` and SIGKILLs it once it has reported `KILL_AFTER` commits. */
async function runAndKill(dir: string, round: string): Promise<Reported> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, round], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const reported: Reported = { committed: new Map(), completing: new Set(), completed: new Set() };
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, ...rest] = line.split(' ');
    if (what === 'ok' && rest[0] === round) {
      reported.committed.set(Number(rest[1]), { seq: Number(rest[2]), effect: Number(rest[3]) });
    }
    if (what === 'completing') reported.completing.add(Number(rest[0]));
    if (what === 'done') reported.completed.add(Number(rest[0]));
    if (reported.committed.size >= KILL_AFTER && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', `the child ended on its own: ${stderr}`);
  return reported;
}

/** What the reopened store holds of step `n`. */
function stepOf(
  store: Store,
  round: string,
  n: number,
  byStep: { journal: Map<number, number>; effects: Set<number> },
) {
  return {
    dedupe: store.dedupe.has(`d_${round}_${n}`),
    link: store.links.findByIMessageId(`msg_${round}_${n}`) !== undefined,
    conversation:
      store.conversations.get({ line: '+15550000000', chat: `cht_${round}_${n}` })?.participants[0] === `p${n}`,
    journal: byStep.journal.has(n),
    effect: byStep.effects.has(n),
  };
}

async function checkSurvivors(dir: string, round: string, reported: Reported): Promise<void> {
  const store = await openLowdbStore({ path: join(dir, 'threadline.json'), pruneIntervalMs: 0 });
  try {
    const pending = store.journal.pending();
    const seqs = pending.map((entry) => entry.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'pending entries replay in seq order',
    );
    const journal = new Map<number, number>();
    for (const entry of pending) {
      const payload = entry.payload as { round: string; n: number; text: string };
      assert.equal(payload.text.length, 200, `entry ${entry.seq} is whole`);
      if (payload.round === round) journal.set(payload.n, entry.seq);
    }
    const effects = new Set<number>();
    for (const effect of store.effects.list()) {
      const op = effect.op as { round: string; n: number };
      if (op.round === round) effects.add(op.n);
    }
    let present = 0;
    for (let n = 0; n < reported.committed.size + IN_FLIGHT; n++) {
      const step = stepOf(store, round, n, { journal, effects });
      const why = `step ${n}: ${JSON.stringify(step)}`;
      // A batch lands whole or not at all: the dedupe claim never without the rest.
      assert.equal(step.link, step.dedupe, why);
      assert.equal(step.conversation, step.dedupe, why);
      assert.equal(step.journal, step.effect, `${why}: the journal entry and the effect go together`);
      if (!step.dedupe) assert.equal(step.journal, false, why);
      const committed = reported.committed.get(n);
      if (committed) assert.ok(step.dedupe, `${why} was reported durable`);
      if (committed && step.journal) assert.equal(journal.get(n), committed.seq, why);
      if (committed && !reported.completing.has(n)) assert.ok(step.journal, `${why} was never completed`);
      if (reported.completed.has(n)) assert.equal(step.journal, false, `${why}: its completion was reported durable`);
      if (step.dedupe) present++;
    }
    assert.ok(present >= reported.committed.size);
  } finally {
    await store.close();
  }
  const files = await readdir(dir);
  assert.deepEqual(
    files.filter((file) => file.endsWith('.tmp') || file.endsWith('.log')),
    [],
    'temp files cleaned at open, the log checkpointed at close',
  );
  for (const file of files) JSON.parse(await readFile(join(dir, file), 'utf8'));
}

describe('store crash safety', () => {
  it('keeps every batch a SIGKILLed writer saw commit, and no batch in part, twice in a row', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-crash-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    for (const round of ['a', 'b']) {
      const reported = await runAndKill(dir, round);
      assert.ok(reported.committed.size >= KILL_AFTER);
      await checkSurvivors(dir, round, reported);
    }
  });
});
