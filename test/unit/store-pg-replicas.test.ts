import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { acquireSenderLease, readSender } from '../../src/store/pg-sender-lease.js';
import { createPgPool, PgStore, type PgStoreOptions } from '../../src/store/pg-store.js';
import { StoreError } from '../../src/store/store-error.js';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../helpers/pg-server.js';
import { waitFor } from '../helpers/wait-for.js';

const unavailable = await pgUnavailable();
const ttlMs = 60_000;

async function replicas(t: TestContext, count: number, options: Partial<PgStoreOptions> = {}) {
  const schema = freshSchema();
  const stores: PgStore[] = [];
  for (let i = 0; i < count; i++)
    stores.push(await PgStore.open({ url: pgTestUrl, schema, pruneIntervalMs: 0, ...options }));
  t.after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropSchema(schema);
  });
  return { schema, stores };
}

describe('PostgreSQL store with several replicas', { skip: unavailable }, () => {
  it('journals a delivery that reaches two replicas at once exactly once', async (t) => {
    const { stores } = await replicas(t, 2);
    const [a, b] = stores as [PgStore, PgStore];
    for (let round = 0; round < 20; round++) {
      const keys = [`imessage:dlv_${round}`, `imessage:msg_${round}`];
      const results = await Promise.all(
        [a, b].map((store) => store.journalOnce(keys, { kind: 'ingress', payload: { round } }, ttlMs)),
      );
      assert.equal(results.filter((seq) => seq !== undefined).length, 1, `round ${round}: journaled once`);
    }
    // A redelivery with a new delivery id but the same message id is a duplicate too.
    assert.equal(
      await a.journalOnce(['imessage:dlv_new', 'imessage:msg_3'], { kind: 'ingress', payload: 3 }, ttlMs),
      undefined,
    );
  });

  it('the sender hears what another replica journaled, at once, and never takes back what it completed', async (t) => {
    const { stores } = await replicas(t, 2);
    const [sender, other] = stores as [PgStore, PgStore];
    let told = 0;
    sender.follow(() => told++, { pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const seq = await other.journalOnce(['k1'], { kind: 'ingress', payload: { text: 'hi' } }, ttlMs);
    await waitFor(() => sender.journal.pending().some((entry) => entry.seq === seq), {
      timeoutMs: 2000,
      message: 'notified, not polled',
    });
    assert.ok(told >= 1);
    assert.deepEqual(sender.journal.pending()[0]?.payload, { text: 'hi' });
    sender.journal.complete(seq!);
    // Another notification arrives before the completion is committed: the completed entry stays completed.
    await other.journalOnce(['k2'], { kind: 'ingress', payload: 2 }, ttlMs);
    await waitFor(() => sender.journal.size === 1, { timeoutMs: 2000 });
    assert.equal(
      sender.journal.pending().some((entry) => entry.seq === seq),
      false,
    );
    await sender.commit();
  });

  it('one replica at a time holds the sender role; another takes over when its connection dies, and the old one is fenced', async (t) => {
    // A replica opened the store first (and migrated it).
    const { schema } = await replicas(t, 1);
    const first = await acquireSenderLease({ url: pgTestUrl, schema, replica: 'a', tryEveryMs: 100 });
    let fenced: StoreError | undefined;
    const oldSender = await PgStore.open({
      url: pgTestUrl,
      schema,
      pruneIntervalMs: 0,
      fence: { epoch: first.epoch, onFenced: (error) => (fenced = error) },
    });
    t.after(() => oldSender.close().catch(() => undefined));
    oldSender.cursors.set('+1555', { lastSentAt: 1 });
    await oldSender.commit();

    const controller = new AbortController();
    t.after(() => controller.abort());
    const startedAt = Date.now();
    const second = acquireSenderLease({ url: pgTestUrl, schema, replica: 'b', tryEveryMs: 100 }, controller.signal);
    const outcome = await Promise.race([
      second.then(() => 'taken'),
      new Promise((r) => setTimeout(() => r('waiting'), 500)),
    ]);
    assert.equal(outcome, 'waiting', 'the role is held');

    // The holder's connection dies (its process was killed): the server frees the lock.
    const pool = createPgPool({ url: pgTestUrl, schema });
    await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1::bigint % 4294967296",
      ['7403551920113302'],
    );
    await pool.end();
    assert.ok((await first.lost) instanceof Error, 'the old sender is told');
    const lease = await second;
    t.after(() => lease.release());
    assert.ok(Date.now() - startedAt < 10_000);
    assert.equal(lease.epoch, first.epoch + 1);
    const infoPool = createPgPool({ url: pgTestUrl, schema });
    assert.deepEqual((await readSender(infoPool))?.replica, 'b');
    await infoPool.end();

    // The old sender, unaware (a paused process), tries to commit: refused.
    oldSender.cursors.set('+1555', { lastSentAt: 2 });
    await assert.rejects(oldSender.commit(), (error) => error instanceof StoreError && error.code === 'store_fenced');
    assert.equal(fenced?.code, 'store_fenced');
  });
});
