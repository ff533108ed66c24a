import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { ConversationKey } from '../../src/core/model.js';
import { StoreError } from '../../src/store/store-error.js';
import type { StoreOptions } from '../../src/store/store-options.js';
import type { EffectState, Store } from '../../src/store/store.js';

/** A store under test, a way to reopen it on the same data, and its teardown. */
export interface StoreFixture {
  readonly store: Store;
  /** Closes the store (flushing it) and opens a new one on the same data with the same options. */
  readonly reopen: () => Promise<Store>;
  /** Closes whatever is open and deletes the data. */
  readonly cleanup: () => Promise<void>;
}

const DAY = 86_400_000;
const KEY: ConversationKey = { line: '+15551234567', chat: 'cht_abc' };
const OTHER: ConversationKey = { line: '+15551234567', chat: 'cht_def' };

/** A clock tests move by hand. */
function createClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

/**
 * The behaviour every `Store` implementation must have (after appservice-slack's `doDatastoreTests`).
 * `createStore` gets options to pass through (an injected clock, small segments) and must honour them.
 */
export function runStoreContract(name: string, createStore: (options?: StoreOptions) => Promise<StoreFixture>): void {
  async function open(t: TestContext, options?: StoreOptions): Promise<StoreFixture> {
    const fixture = await createStore({ pruneIntervalMs: 0, ...options });
    t.after(() => fixture.cleanup());
    return fixture;
  }

  describe(`${name} store: conversations`, () => {
    it('creates a conversation on first upsert, stamped by the clock', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now });
      assert.equal(store.conversations.get(KEY), undefined);
      const created = store.conversations.upsert(KEY, { participants: ['+15550001111'] });
      assert.deepEqual(created, {
        key: KEY,
        participants: ['+15550001111'],
        threads: {},
        createdAt: clock.now(),
        lastActivityAt: clock.now(),
      });
      assert.deepEqual(store.conversations.get({ ...KEY }), created);
      assert.equal(store.conversations.size, 1);
    });

    it('patches only the fields given, and clears displayName with null', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now });
      store.conversations.upsert(KEY, { participants: ['a'], displayName: 'Ana', isGroup: false });
      clock.advance(1000);
      const patched = store.conversations.upsert(KEY, { lastActivityAt: clock.now(), isGroup: true });
      assert.deepEqual(patched.participants, ['a']);
      assert.equal(patched.displayName, 'Ana');
      assert.equal(patched.isGroup, true);
      assert.equal(patched.createdAt, clock.now() - 1000);
      assert.equal(patched.lastActivityAt, clock.now());
      const cleared = store.conversations.upsert(KEY, { displayName: null });
      assert.equal('displayName' in cleared, false);
      assert.equal(store.conversations.size, 1);
    });

    it('finds a conversation from its Slack and Discord threads, and follows relinks', async (t) => {
      const { store } = await open(t);
      store.conversations.upsert(KEY, {
        threads: { slack: { channel: 'C1', thread: '100.1' }, discord: { channel: 'D1', thread: '900' } },
      });
      assert.deepEqual(store.conversations.findByThread('slack', 'C1', '100.1')?.key, KEY);
      assert.deepEqual(store.conversations.findByThread('discord', 'D1', '900')?.key, KEY);
      assert.equal(store.conversations.findByThread('discord', 'C1', '100.1'), undefined);
      assert.equal(store.conversations.findByThread('slack', 'C2', '100.1'), undefined);

      store.conversations.upsert(KEY, { threads: { slack: { channel: 'C1', thread: '200.2' } } });
      assert.equal(store.conversations.findByThread('slack', 'C1', '100.1'), undefined);
      assert.deepEqual(store.conversations.findByThread('slack', 'C1', '200.2')?.key, KEY);
      assert.deepEqual(store.conversations.findByThread('discord', 'D1', '900')?.key, KEY, 'other bridge kept');

      store.conversations.upsert(KEY, { threads: { discord: null } });
      assert.equal(store.conversations.findByThread('discord', 'D1', '900'), undefined);
      assert.equal(store.conversations.get(KEY)?.threads.discord, undefined);
    });

    it('moves a thread linked to a second conversation away from the first', async (t) => {
      const { store } = await open(t);
      store.conversations.upsert(KEY, { threads: { slack: { channel: 'C1', thread: '1.1' } } });
      store.conversations.upsert(OTHER, { threads: { slack: { channel: 'C1', thread: '1.1' } } });
      assert.deepEqual(store.conversations.findByThread('slack', 'C1', '1.1')?.key, OTHER);
      assert.equal(store.conversations.get(KEY)?.threads.slack, undefined);
    });

    it('lists every conversation', async (t) => {
      const { store } = await open(t, { conversationsPerShard: 4 });
      for (let i = 0; i < 50; i++) store.conversations.upsert({ line: '+1555', chat: `cht_${i}` });
      const chats = store.conversations.list().map((c) => c.key.chat);
      assert.equal(chats.length, 50);
      assert.deepEqual(new Set(chats), new Set(Array.from({ length: 50 }, (_, i) => `cht_${i}`)));
    });

    it('rejects an empty key or thread', async (t) => {
      const { store } = await open(t);
      assert.throws(() => store.conversations.upsert({ line: '', chat: 'x' }), TypeError);
      assert.throws(
        () => store.conversations.upsert(KEY, { threads: { slack: { channel: 'C1', thread: '' } } }),
        TypeError,
      );
    });

    it('keeps conversations and thread links across a reopen', async (t) => {
      const { store, reopen } = await open(t, { conversationsPerShard: 4 });
      for (let i = 0; i < 40; i++) {
        store.conversations.upsert(
          { line: '+1555', chat: `cht_${i}` },
          { participants: [`p${i}`], threads: { slack: { channel: 'C1', thread: `${i}.0` } } },
        );
      }
      store.conversations.upsert(KEY, { displayName: 'Ana', isGroup: true });
      const before = store.conversations.list();
      const reopened = await reopen();
      assert.equal(reopened.conversations.size, 41);
      assert.deepEqual(sortByChat(reopened.conversations.list()), sortByChat(before));
      assert.deepEqual(reopened.conversations.findByThread('slack', 'C1', '17.0')?.participants, ['p17']);
      assert.equal(reopened.conversations.get(KEY)?.displayName, 'Ana');
    });
  });

  describe(`${name} store: message links`, () => {
    const conversation = KEY;

    it('creates a link with an id and finds it from every side', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now });
      const link = store.links.create({
        conversation,
        origin: 'imessage',
        imessage: { id: 'msg_1', guid: 'GUID-1', outboxId: 'obx_1' },
        slack: { channel: 'C1', ts: '1700000000.000100' },
        discord: { channel: 'D1', id: '1234567890' },
        delivery: 'sent',
      });
      assert.equal(typeof link.id, 'string');
      assert.equal(link.createdAt, clock.now());
      assert.deepEqual(store.links.get(link.id), link);
      assert.deepEqual(store.links.findByIMessageId('msg_1'), link);
      assert.deepEqual(store.links.findByGuid('GUID-1'), link);
      assert.deepEqual(store.links.findByOutboxId('obx_1'), link);
      assert.deepEqual(store.links.findBySlack('C1', '1700000000.000100'), link);
      assert.deepEqual(store.links.findByDiscord('1234567890'), link);
      assert.equal(store.links.size, 1);
    });

    it('misses unknown handles, a Slack ts in another channel, and malformed ids', async (t) => {
      const { store } = await open(t);
      store.links.create({ conversation, origin: 'slack', slack: { channel: 'C1', ts: '1.1' } });
      assert.equal(store.links.findBySlack('C2', '1.1'), undefined);
      assert.equal(store.links.findByIMessageId('msg_nope'), undefined);
      assert.equal(store.links.findByGuid('1.1'), undefined);
      for (const id of ['', 'link_', 'link_99', 'link_-1', 'nope']) assert.equal(store.links.get(id), undefined);
    });

    it('adds a side to an existing link and keeps every lookup right', async (t) => {
      const { store } = await open(t);
      const link = store.links.create({ conversation, origin: 'slack', slack: { channel: 'C1', ts: '1.1' } });
      store.links.update(link.id, { imessage: { outboxId: 'obx_9' }, delivery: 'pending' });
      assert.equal(store.links.findByOutboxId('obx_9')?.id, link.id);
      const sent = store.links.update(link.id, { imessage: { id: 'msg_9', guid: 'G9' }, delivery: 'sent' });
      assert.deepEqual(sent?.imessage, { id: 'msg_9', guid: 'G9', outboxId: 'obx_9' });
      assert.equal(sent?.delivery, 'sent');
      for (const found of [
        store.links.findByIMessageId('msg_9'),
        store.links.findByGuid('G9'),
        store.links.findByOutboxId('obx_9'),
        store.links.findBySlack('C1', '1.1'),
      ]) {
        assert.deepEqual(found, sent);
      }
      store.links.update(link.id, { slack: { channel: 'C1', ts: '2.2' }, discord: { channel: 'D', id: '77' } });
      assert.equal(store.links.findBySlack('C1', '1.1'), undefined, 'the replaced side is no longer found');
      assert.equal(store.links.findBySlack('C1', '2.2')?.id, link.id);
      assert.equal(store.links.findByDiscord('77')?.id, link.id);
      assert.equal(store.links.update('link_404', { delivery: 'failed' }), undefined);
    });

    it('returns the newest link when two carry the same handle', async (t) => {
      const { store } = await open(t);
      store.links.create({ conversation, origin: 'imessage', imessage: { guid: 'SAME' } });
      const newer = store.links.create({ conversation: OTHER, origin: 'imessage', imessage: { guid: 'SAME' } });
      assert.equal(store.links.findByGuid('SAME')?.id, newer.id);
    });

    it('stores ids containing separators and escapes verbatim', async (t) => {
      const { store, reopen } = await open(t);
      const odd = { line: 'a|b c\\d', chat: 'cht_|\\p \\s' };
      const link = store.links.create({
        conversation: odd,
        origin: 'discord',
        imessage: { id: 'msg| |', guid: '\\|\\' },
        discord: { channel: 'c h', id: 'i|d' },
      });
      assert.deepEqual(store.links.findByGuid('\\|\\')?.conversation, odd);
      assert.deepEqual(store.links.findByDiscord('i|d'), link);
      const reopened = await reopen();
      assert.deepEqual(reopened.links.findByIMessageId('msg| |'), link);
    });

    it('rejects empty handles and unknown origins', async (t) => {
      const { store } = await open(t);
      assert.throws(
        () => store.links.create({ conversation, origin: 'slack', slack: { channel: 'C1', ts: '' } }),
        TypeError,
      );
      assert.throws(() => store.links.create({ conversation, origin: 'imessage', imessage: { id: '' } }), TypeError);
      const origin = 'telegram' as 'slack';
      assert.throws(() => store.links.create({ conversation, origin }), TypeError);
      assert.equal(store.links.size, 0);
    });

    it('keeps links, their updates and every lookup across a reopen, over many segments', async (t) => {
      const { store, reopen } = await open(t, { linksPerSegment: 8 });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        ids.push(
          store.links.create({
            conversation: { line: '+1555', chat: `cht_${i % 7}` },
            origin: 'imessage',
            imessage: { id: `msg_${i}`, guid: `G${i}` },
          }).id,
        );
      }
      for (let i = 0; i < 100; i += 3) store.links.update(ids[i] ?? '', { slack: { channel: 'C1', ts: `${i}.5` } });
      const reopened = await reopen();
      assert.equal(reopened.links.size, 100);
      for (let i = 0; i < 100; i++) {
        const link = reopened.links.findByIMessageId(`msg_${i}`);
        assert.equal(link?.id, ids[i]);
        assert.equal(reopened.links.findByGuid(`G${i}`)?.id, ids[i]);
        assert.equal(reopened.links.findBySlack('C1', `${i}.5`)?.id, i % 3 === 0 ? ids[i] : undefined);
      }
      const next = reopened.links.create({ conversation, origin: 'slack', slack: { channel: 'C9', ts: '9.9' } });
      assert.equal(ids.includes(next.id), false, 'ids are not reused');
    });
  });

  describe(`${name} store: journal`, () => {
    it('appends with increasing seq and lists pending entries in seq order until completed', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now, journalPerSegment: 4 });
      const seqs = Array.from({ length: 10 }, (_, i) => store.journal.append({ kind: 'k', payload: { i } }));
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.equal(new Set(seqs).size, 10);
      assert.equal(store.journal.complete(seqs[3] ?? 0), true);
      assert.equal(store.journal.complete(seqs[3] ?? 0), false, 'already completed');
      assert.equal(store.journal.complete(999_999), false);
      const pending = store.journal.pending();
      assert.deepEqual(
        pending.map((entry) => entry.seq),
        seqs.filter((_, i) => i !== 3),
      );
      assert.deepEqual(pending[0], { seq: seqs[0], kind: 'k', payload: { i: 0 }, appendedAt: clock.now() });
      assert.equal(store.journal.size, 9);
    });

    it('stores a frozen JSON copy of the payload and refuses what JSON cannot hold', async (t) => {
      const { store } = await open(t);
      const payload = { text: 'hi', nested: { n: 1 } };
      store.journal.append({ kind: 'k', payload });
      payload.nested.n = 2;
      const [entry] = store.journal.pending();
      assert.deepEqual(entry?.payload, { text: 'hi', nested: { n: 1 } });
      assert.equal(Object.isFrozen((entry?.payload as { nested: object }).nested), true);
      assert.throws(() => store.journal.append({ kind: 'k', payload: undefined }), TypeError);
      assert.throws(() => store.journal.append({ kind: 'k', payload: { big: 1n } }), TypeError);
      assert.throws(() => store.journal.append({ kind: '', payload: 1 }), TypeError);
      assert.equal(store.journal.size, 1);
    });

    it('replays pending entries in order after a reopen and never reuses a seq', async (t) => {
      const { store, reopen } = await open(t, { journalPerSegment: 4 });
      const seqs = Array.from({ length: 20 }, (_, i) => store.journal.append({ kind: `k${i}`, payload: [i] }));
      for (const i of [0, 1, 2, 3, 5, 8, 13, 19]) store.journal.complete(seqs[i] ?? 0);
      const pending = store.journal.pending();
      let reopened = await reopen();
      assert.deepEqual(reopened.journal.pending(), pending);
      for (const entry of reopened.journal.pending()) reopened.journal.complete(entry.seq);
      reopened = await reopen();
      assert.equal(reopened.journal.size, 0);
      const next = reopened.journal.append({ kind: 'k', payload: null });
      assert.ok(next > Math.max(...seqs), `seq ${next} continues after ${Math.max(...seqs)}`);
    });
  });

  describe(`${name} store: effects`, () => {
    it('appends effects with increasing ids, stamped by the clock, and lists them in id order', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now, effectsPerSegment: 4 });
      const appended = Array.from({ length: 9 }, (_, i) =>
        store.effects.append({ lane: `lane${i % 3}`, destination: 'slack:C1', op: { i } }),
      );
      assert.deepEqual(
        appended.map((effect) => effect.id),
        [...appended.map((effect) => effect.id)].sort((a, b) => a - b),
      );
      assert.deepEqual(appended[0], {
        id: appended[0]!.id,
        lane: 'lane0',
        destination: 'slack:C1',
        op: { i: 0 },
        createdAt: clock.now(),
        attempts: 0,
      });
      assert.equal(store.effects.complete(appended[4]!.id), true);
      assert.equal(store.effects.complete(appended[4]!.id), false, 'already complete');
      assert.deepEqual(
        store.effects.list().map((effect) => (effect.op as { i: number }).i),
        [0, 1, 2, 3, 5, 6, 7, 8],
      );
      assert.equal(store.effects.size, 8);
      assert.equal(store.effects.get(appended[4]!.id), undefined);
    });

    it('updates state field by field, clears with null, and keeps the op frozen', async (t) => {
      const { store } = await open(t);
      const op = { text: 'hi', nested: { n: 1 } };
      const effect = store.effects.append({ lane: 'l', destination: 'imessage:+1555', op, notBefore: 5 });
      op.nested.n = 2;
      assert.deepEqual(effect.op, { text: 'hi', nested: { n: 1 } });
      assert.equal(Object.isFrozen((effect.op as { nested: object }).nested), true);
      const error = { code: 'platform_error', message: 'HTTP 503', at: 10 };
      const updated = store.effects.update(effect.id, { attempts: 2, attemptedAt: 7, lastError: error, progress: 1 });
      assert.deepEqual(updated, {
        ...effect,
        attempts: 2,
        attemptedAt: 7,
        lastError: error,
        progress: 1,
      });
      const cleared = store.effects.update(effect.id, { notBefore: null, attemptedAt: null, deadAt: 20 });
      assert.equal('notBefore' in cleared!, false);
      assert.equal('attemptedAt' in cleared!, false);
      assert.equal(cleared?.deadAt, 20);
      assert.equal(store.effects.update(999_999, { attempts: 1 }), undefined);
      assert.throws(() => store.effects.append({ lane: '', destination: 'd', op: 1 }), TypeError);
      assert.throws(() => store.effects.append({ lane: 'l', destination: '', op: 1 }), TypeError);
      assert.throws(() => store.effects.append({ lane: 'l', destination: 'd', op: undefined }), TypeError);
      assert.equal(store.effects.size, 1);
    });

    it('keeps effects and their state across a reopen, over many segments, and never reuses an id', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, effectsPerSegment: 4 });
      const ids = Array.from(
        { length: 20 },
        (_, i) => store.effects.append({ lane: 'l', destination: 'discord:1', op: [i] }).id,
      );
      for (const i of [0, 1, 2, 3, 5, 8, 13, 19]) store.effects.complete(ids[i]!);
      store.effects.update(ids[6]!, { attemptedAt: 42, attempts: 3 });
      store.effects.update(ids[7]!, {
        deadAt: clock.now(),
        lastError: { code: 'not_found', message: 'gone', at: clock.now() },
      });
      const before = store.effects.list();
      let reopened = await reopen();
      assert.deepEqual(reopened.effects.list(), before);
      for (const effect of reopened.effects.list()) reopened.effects.complete(effect.id);
      reopened = await reopen();
      assert.equal(reopened.effects.size, 0);
      const next = reopened.effects.append({ lane: 'l', destination: 'd', op: null });
      assert.ok(next.id > Math.max(...ids), `id ${next.id} continues after ${Math.max(...ids)}`);
    });

    it("gives every effect's state without its op, in id order, as list() has it, also across a reopen", async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, effectsPerSegment: 4 });
      const ids = Array.from(
        { length: 10 },
        (_, i) => store.effects.append({ lane: `l${i % 2}`, destination: 'slack:C1', op: { text: `t${i}` } }).id,
      );
      store.effects.complete(ids[3]!);
      store.effects.update(ids[5]!, { attemptedAt: clock.now(), deadAt: clock.now() });
      const withoutOp = (effects: Iterable<EffectState>) => [...effects].map(stateFields);
      const expected = withoutOp(store.effects.list());
      assert.deepEqual(withoutOp(store.effects.states()), expected);
      assert.equal(expected.length, 9);
      assert.equal(expected.find((state) => state.id === ids[5])?.deadAt, clock.now());
      const reopened = await reopen();
      assert.deepEqual(withoutOp(reopened.effects.states()), expected);
      assert.deepEqual(reopened.effects.get(ids[9]!)?.op, { text: 't9' });
    });

    it('prunes dead letters past their retention, and only those', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, deadLetterRetentionDays: 2 });
      const dead = store.effects.append({ lane: 'l', destination: 'd', op: 1 });
      const pending = store.effects.append({ lane: 'l', destination: 'd', op: 2 });
      store.effects.update(dead.id, { deadAt: clock.now() });
      clock.advance(DAY);
      assert.equal(store.prune().deadLetters, 0);
      clock.advance(DAY + 1);
      assert.equal(store.prune().deadLetters, 1);
      const reopened = await reopen();
      assert.deepEqual(
        reopened.effects.list().map((effect) => effect.id),
        [pending.id],
      );
    });
  });

  describe(`${name} store: dedupe`, () => {
    it('claims a key once until it expires', async (t) => {
      const clock = createClock();
      const { store } = await open(t, { now: clock.now });
      assert.equal(store.dedupe.claim('imessage:dlv_1', 1000), true);
      assert.equal(store.dedupe.claim('imessage:dlv_1', 1000), false);
      assert.equal(store.dedupe.has('imessage:dlv_1'), true);
      clock.advance(999);
      assert.equal(store.dedupe.claim('imessage:dlv_1', 1000), false);
      clock.advance(1);
      assert.equal(store.dedupe.has('imessage:dlv_1'), false);
      assert.equal(store.dedupe.claim('imessage:dlv_1', 1000), true, 'claimable again once expired');
      assert.equal(store.dedupe.claim('imessage:dlv_1', 1000), false);
    });

    it('releases a claim', async (t) => {
      const { store } = await open(t);
      store.dedupe.claim('k', 60_000);
      assert.equal(store.dedupe.release('k'), true);
      assert.equal(store.dedupe.release('k'), false);
      assert.equal(store.dedupe.claim('k', 60_000), true);
    });

    it('prunes expired keys and keeps live ones, also across a reopen', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, dedupePerSegment: 4 });
      for (let i = 0; i < 10; i++) store.dedupe.claim(`short${i}`, 1000);
      for (let i = 0; i < 10; i++) store.dedupe.claim(`long${i}`, 60_000);
      assert.equal(store.dedupe.size, 20);
      clock.advance(5000);
      const pruned = store.prune();
      assert.ok(pruned.dedupeKeys >= 8, `pruned ${pruned.dedupeKeys} expired keys`);
      assert.ok(store.dedupe.size <= 12);
      for (let i = 0; i < 10; i++) assert.equal(store.dedupe.has(`long${i}`), true);
      const reopened = await reopen();
      for (let i = 0; i < 10; i++) {
        assert.equal(reopened.dedupe.claim(`long${i}`, 1000), false, `long${i} still claimed`);
        assert.equal(reopened.dedupe.claim(`short${i}`, 1000), true, `short${i} expired`);
      }
    });

    it('rejects an empty key or a ttl that is not positive', async (t) => {
      const { store } = await open(t);
      assert.throws(() => store.dedupe.claim('', 1000), TypeError);
      assert.throws(() => store.dedupe.claim('k', 0), TypeError);
    });
  });

  describe(`${name} store: cursors`, () => {
    it('sets and gets per-line backfill cursors, across a reopen', async (t) => {
      const { store, reopen } = await open(t);
      assert.equal(store.cursors.get('+1555'), undefined);
      store.cursors.set('+1555', { lastSentAt: 10, lastMessageId: 'msg_1' });
      store.cursors.set('+1666', { lastSentAt: 20 });
      store.cursors.set('+1555', { lastSentAt: 30, lastMessageId: 'msg_3' });
      assert.deepEqual(store.cursors.get('+1555'), { lastSentAt: 30, lastMessageId: 'msg_3' });
      const reopened = await reopen();
      assert.deepEqual(reopened.cursors.get('+1555'), { lastSentAt: 30, lastMessageId: 'msg_3' });
      assert.deepEqual(reopened.cursors.get('+1666'), { lastSentAt: 20 });
      assert.throws(() => reopened.cursors.set('+1777', { lastSentAt: Number.NaN }), TypeError);
      assert.deepEqual(
        new Map(reopened.cursors.list()),
        new Map([
          ['+1555', { lastSentAt: 30, lastMessageId: 'msg_3' }],
          ['+1666', { lastSentAt: 20 }],
        ]),
      );
    });
  });

  describe(`${name} store: listing everything (export)`, () => {
    it('lists links oldest first without the pruned ones, and only live dedupe claims', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, linksPerSegment: 4, linkRetentionDays: 1 });
      const conversation = KEY;
      const old = store.links.create({ conversation, origin: 'imessage', imessage: { id: 'msg_old' } });
      clock.advance(DAY / 2);
      const ids = [1, 2, 3, 4, 5, 6].map(
        (i) => store.links.create({ conversation, origin: 'slack', slack: { channel: 'C1', ts: `${i}.0` } }).id,
      );
      store.links.update(ids[2]!, { imessage: { id: 'msg_3' } });
      store.dedupe.claim('short', 1000);
      store.dedupe.claim('long', DAY);
      const longExpiresAt = clock.now() + DAY;
      clock.advance(DAY / 2 + 1);
      store.prune();
      const reopened = await reopen();
      assert.deepEqual(
        reopened.links.list().map((link) => link.id),
        ids,
      );
      assert.equal(ids.includes(old.id), false);
      assert.deepEqual(reopened.links.list()[2], reopened.links.get(ids[2]!));
      assert.deepEqual(reopened.dedupe.entries(), [['long', longExpiresAt]]);
    });
  });

  describe(`${name} store: retention`, () => {
    it('prunes links older than the retention, and they stay pruned after a reopen', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, linkRetentionDays: 2, linksPerSegment: 4 });
      const old = Array.from({ length: 10 }, (_, i) =>
        store.links.create({ conversation: KEY, origin: 'imessage', imessage: { id: `old${i}` } }),
      );
      clock.advance(DAY);
      const recent = Array.from({ length: 5 }, (_, i) =>
        store.links.create({ conversation: KEY, origin: 'imessage', imessage: { id: `new${i}` } }),
      );
      clock.advance(DAY + 1);
      assert.deepEqual(store.prune(), { links: 10, dedupeKeys: 0, deadLetters: 0 });
      assert.equal(store.links.size, 5);
      for (const link of old) {
        assert.equal(store.links.get(link.id), undefined);
        assert.equal(store.links.findByIMessageId(link.imessage?.id ?? ''), undefined);
      }
      for (const link of recent) assert.deepEqual(store.links.findByIMessageId(link.imessage?.id ?? ''), link);
      const reopened = await reopen();
      assert.equal(reopened.links.size, 5);
      assert.equal(reopened.links.findByIMessageId('old3'), undefined);
      assert.equal(reopened.links.findByIMessageId('new3')?.id, recent[3]?.id);
    });

    it('caps the number of links, dropping the oldest first', async (t) => {
      const { store } = await open(t, { maxLinks: 5, linksPerSegment: 4 });
      const links = Array.from({ length: 12 }, (_, i) =>
        store.links.create({ conversation: KEY, origin: 'slack', slack: { channel: 'C', ts: `${i}` } }),
      );
      assert.equal(store.prune().links, 7);
      assert.deepEqual(
        links.map((link) => store.links.get(link.id) !== undefined),
        links.map((_, i) => i >= 7),
      );
    });

    it('does not reuse link ids once every link is pruned', async (t) => {
      const clock = createClock();
      const { store, reopen } = await open(t, { now: clock.now, linkRetentionDays: 1, linksPerSegment: 4 });
      // Two full segments: the last one is emptied too, and must still remember how many rows it had.
      const ids = Array.from({ length: 8 }, () => store.links.create({ conversation: KEY, origin: 'slack' }).id);
      clock.advance(2 * DAY);
      store.prune();
      assert.equal(store.links.size, 0);
      const reopened = await reopen();
      const next = reopened.links.create({ conversation: KEY, origin: 'slack' });
      assert.equal(ids.includes(next.id), false);
    });
  });

  describe(`${name} store: lifecycle`, () => {
    it('refuses mutations once closed, and close is idempotent', async (t) => {
      const { store } = await open(t);
      store.cursors.set('+1555', { lastSentAt: 1 });
      await store.close();
      await store.close();
      assert.throws(
        () => store.journal.append({ kind: 'k', payload: 1 }),
        (error) => error instanceof StoreError && error.code === 'store_closed',
      );
      assert.deepEqual(store.cursors.get('+1555'), { lastSentAt: 1 }, 'reads still work');
    });

    it('resolves commit() once what was mutated before it is durable', async (t) => {
      const { store, reopen } = await open(t);
      assert.equal(await store.commit(), undefined, 'nothing pending resolves at once');
      const seq = store.journal.append({ kind: 'webhook', payload: { id: 'dlv_1' } });
      store.dedupe.claim('imessage:dlv_1', 60_000);
      await store.commit();
      const reopened = await reopen();
      assert.deepEqual(
        reopened.journal.pending().map((entry) => entry.seq),
        [seq],
      );
      assert.equal(reopened.dedupe.has('imessage:dlv_1'), true);
    });
  });
}

/** The fields of an effect's state (a store may hold more beside them, such as its op in another form). */
function stateFields(state: EffectState): EffectState {
  const keys = ['id', 'lane', 'destination', 'createdAt', 'attempts', 'attemptedAt', 'notBefore', 'progress'] as const;
  const picked: Record<string, unknown> = {};
  for (const key of [...keys, 'lastError', 'deadAt'] as const) if (state[key] !== undefined) picked[key] = state[key];
  return picked as unknown as EffectState;
}

function sortByChat<T extends { key: ConversationKey }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => a.key.chat.localeCompare(b.key.chat));
}
