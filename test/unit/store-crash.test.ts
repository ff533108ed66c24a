import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLowdbStore } from '../../src/store/lowdb-store.js';

const CHILD = fileURLToPath(new URL('../helpers/store-crash-child.ts', import.meta.url));
const KILL_AFTER = 120;

interface Reported {
  /** n → journal seq, for every mutation the child saw committed. */
  readonly committed: Map<number, number>;
  /** Journal seqs whose completion the child saw committed. */
  readonly completed: Set<number>;
}

/** Runs the child on `dir` and SIGKILLs it once it has reported `KILL_AFTER` commits. */
async function runAndKill(dir: string, round: string): Promise<Reported> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, round], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const reported: Reported = { committed: new Map(), completed: new Set() };
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, ...rest] = line.split(' ');
    if (what === 'ok' && rest[0] === round) reported.committed.set(Number(rest[1]), Number(rest[2]));
    if (what === 'done') reported.completed.add(Number(rest[0]));
    if (reported.committed.size >= KILL_AFTER && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', `the child ended on its own: ${stderr}`);
  return reported;
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
    for (const entry of pending) {
      const payload = entry.payload as { n: number; text: string };
      assert.equal(payload.text.length, 200, `entry ${entry.seq} is whole`);
    }
    const pendingSeqs = new Set(seqs);
    for (const [n, seq] of reported.committed) {
      assert.equal(pendingSeqs.has(seq), !reported.completed.has(seq), `journal seq ${seq} (n ${n})`);
      assert.ok(store.links.findByIMessageId(`msg_${round}_${n}`), `link of n ${n}`);
      assert.deepEqual(store.conversations.get({ line: '+15550000000', chat: `cht_${round}_${n}` })?.participants, [
        `p${n}`,
      ]);
      assert.equal(store.dedupe.has(`d_${round}_${n}`), true, `dedupe key of n ${n}`);
    }
  } finally {
    await store.close();
  }
  const files = await readdir(dir);
  assert.deepEqual(
    files.filter((file) => file.endsWith('.tmp')),
    [],
    'temp files cleaned at open',
  );
  for (const file of files) JSON.parse(await readFile(join(dir, file), 'utf8'));
}

describe('store crash safety', () => {
  it('keeps every commit a SIGKILLed writer saw resolve, twice in a row', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-crash-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    for (const round of ['a', 'b']) {
      const reported = await runAndKill(dir, round);
      assert.ok(reported.committed.size >= KILL_AFTER);
      await checkSurvivors(dir, round, reported);
    }
  });
});
