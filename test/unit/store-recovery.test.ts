import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryVolume } from '../../src/store/memory-volume.js';
import { ShardedStore } from '../../src/store/sharded-store.js';
import type { StoreOptions } from '../../src/store/store-options.js';
import type { Store } from '../../src/store/store.js';
import { captureLogs } from '../helpers/log-capture.js';
import { dumpStore, type DumpKeys } from '../helpers/store-dump.js';
import { FaultyVolume, copyVolume } from '../helpers/store-faulty-volume.js';
import { waitFor } from '../helpers/wait-for.js';

/** Tiny shards, so that a few steps split conversations, fill segments and drop emptied ones. */
const SMALL: StoreOptions = {
  pruneIntervalMs: 0,
  commitWindowMs: 0,
  conversationsPerShard: 2,
  linksPerSegment: 4,
  journalPerSegment: 4,
  effectsPerSegment: 4,
  dedupePerSegment: 4,
  maxLinks: 12,
};

interface Clock {
  readonly now: () => number;
  readonly advance: (ms: number) => void;
  readonly set: (ms: number) => void;
}

function createClock(): Clock {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms) => (now += ms), set: (ms) => (now = ms) };
}

/** Step `i` of a workload touching every table, in one batch (a fresh store numbers seq and ids from 1). */
function mutate(store: Store, i: number, clock: { advance: (ms: number) => void }): void {
  const conversation = { line: '+15550000000', chat: `c${i % 13}` };
  store.conversations.upsert(conversation, { participants: [`p${i}`], lastActivityAt: i });
  store.dedupe.claim(`d${i}`, 1_000 + (i % 4) * 1_000);
  store.journal.append({ kind: 'step', payload: { i } });
  store.effects.append({ lane: `lane${i % 3}`, destination: 'slack:C1', op: { i } });
  store.links.create({ conversation, origin: 'imessage', imessage: { id: `m${i}` } });
  store.cursors.set(`line${i % 2}`, { lastSentAt: i });
  if (i % 3 === 2) {
    store.journal.complete(i - 1);
    store.effects.complete(i - 1);
    store.links.update(`link_${i - 2}`, { delivery: 'sent' });
  }
  if (i % 5 === 4) clock.advance(2_000);
  // Pruned at every step, as open prunes: a state that a reopen would prune further compares unequal.
  store.prune();
}

function keys(steps: number): DumpKeys {
  return {
    links: steps,
    dedupeKeys: Array.from({ length: steps }, (_, i) => `d${i}`),
    cursorLines: ['line0', 'line1'],
  };
}

/** Opens the crash image of `volume` and checks it holds `expected`; then closes, reopens and checks again. */
async function checkReopened(volume: MemoryVolume, options: StoreOptions, expected: unknown, why: string) {
  const image = await copyVolume(volume);
  for (const round of [1, 2]) {
    const store = await ShardedStore.open(image, options);
    try {
      assert.deepEqual(dumpStore(store, keys(40)), expected, `${why} (open ${round})`);
    } finally {
      await store.close();
    }
  }
}

describe('store recovery', () => {
  it('replays a log older than the checkpoint without changing anything', async () => {
    const clock = createClock();
    const options = { ...SMALL, now: clock.now };
    const volume = new MemoryVolume();
    const store = await ShardedStore.open(volume, options);
    for (let i = 0; i < 8; i++) {
      mutate(store, i, clock);
      await store.commit();
    }
    const early = await volume.readLog(1);
    for (let i = 8; i < 20; i++) {
      mutate(store, i, clock);
      await store.commit();
    }
    store.prune();
    const expected = dumpStore(store, keys(40));
    await store.close();
    assert.deepEqual(await volume.logs(), [], 'the checkpoint on close deleted the log');
    assert.ok(early && early.length > 0);
    // As if the checkpoint that wrote these shards had not got as far as deleting the log.
    await volume.appendLog(2, early);
    const reopened = await ShardedStore.open(volume, options);
    assert.deepEqual(dumpStore(reopened, keys(40)), expected);
    mutate(reopened, 20, clock);
    reopened.prune();
    await reopened.commit();
    const later = dumpStore(reopened, keys(40));
    await reopened.close();
    const again = await ShardedStore.open(volume, options);
    assert.deepEqual(dumpStore(again, keys(40)), later, 'new batches are numbered after the old log');
    await again.close();
  });

  it('reopens to the last commit after a crash at any step of the checkpoint on close', async () => {
    const steps = new Set<string>();
    for (let crashAt = 1; ; crashAt++) {
      const clock = createClock();
      const options = { ...SMALL, now: clock.now, checkpointBytes: 2 ** 30 };
      const volume = new FaultyVolume();
      const store = await ShardedStore.open(volume, options);
      for (let i = 0; i < 14; i++) {
        mutate(store, i, clock);
        await store.commit();
      }
      store.prune();
      await store.commit();
      const expected = dumpStore(store, keys(40));
      volume.ops = 0;
      volume.trace.length = 0;
      volume.crashAt = crashAt;
      await store.close().catch(() => undefined);
      steps.add(volume.trace.at(-1)?.replace(/\d+/, 'N') ?? '');
      await checkReopened(volume, options, expected, `crash at ${volume.trace.at(-1)}`);
      if (!volume.crashed) break;
    }
    for (const step of ['write conversations-N', 'sync', 'write manifest', 'remove dedupe-N', 'remove wal-N']) {
      assert.ok(steps.has(step), `crashed at ${step} (${[...steps].join(', ')})`);
    }
  });

  it('reopens to the last commit after a crash at any write while commits and checkpoints interleave', async () => {
    let checkpoints = 0;
    for (let crashAt = 1; ; crashAt++) {
      const clock = createClock();
      const options = { ...SMALL, now: clock.now, checkpointBytes: 3_000 };
      const volume = new FaultyVolume();
      const store = await ShardedStore.open(volume, options);
      volume.ops = 0;
      volume.crashAt = crashAt;
      // With the time of each: dedupe keys expire, so a state is compared at the time it was taken.
      const dumps = [{ at: clock.now(), dump: dumpStore(store, keys(40)) }];
      let failed = false;
      for (let i = 0; i < 24 && !failed; i++) {
        mutate(store, i, clock);
        dumps.push({ at: clock.now(), dump: dumpStore(store, keys(40)) });
        failed = await store.commit().then(
          () => false,
          () => true,
        );
      }
      await store.close().catch(() => undefined);
      const crashedAt = volume.trace[crashAt - 1];
      if (!volume.crashed) {
        checkpoints = volume.trace.filter((step) => step === 'write manifest').length;
        break;
      }
      // A commit that failed never reached the log (a crash cuts an append in half): the one before it is the last.
      const expected = failed ? dumps.at(-2) : dumps.at(-1);
      clock.set(expected?.at ?? 0);
      await checkReopened(volume, options, expected?.dump, `crash at step ${crashAt}: ${crashedAt}`);
    }
    assert.ok(checkpoints >= 4, `${checkpoints} checkpoints ran`);
  });

  it('keeps the work of a failed checkpoint, and its logs, for the next checkpoint', async () => {
    class FullShards extends MemoryVolume {
      full = false;
      override write(name: string, json: string): Promise<void> {
        return this.full ? Promise.reject(new Error('disk full')) : super.write(name, json);
      }
    }
    const volume = new FullShards();
    const { log, lines } = captureLogs();
    const clock = createClock();
    const options = { ...SMALL, now: clock.now, checkpointBytes: 1, logger: log };
    const store = await ShardedStore.open(volume, options);
    volume.full = true;
    mutate(store, 0, clock);
    await store.commit();
    await waitFor(() => lines.some((line) => line.level === 'error' && line.msg.includes('checkpoint failed')));
    assert.deepEqual(await volume.logs(), [1], 'the log stays while its content is in no shard file');
    volume.full = false;
    mutate(store, 1, clock);
    await store.commit();
    await waitFor(async () => (await volume.logs()).length === 0, { message: 'the next checkpoint' });
    const expected = dumpStore(store, keys(40));
    await checkReopened(volume, options, expected, 'after a failed checkpoint');
    await store.close();
  });
});
