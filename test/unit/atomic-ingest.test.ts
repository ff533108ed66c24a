import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createAtomicIngest, type AtomicIngressJournal } from '../../src/core/ingress.js';
import type { Ingress, MessageId } from '../../src/core/model.js';

const log = pino({ level: 'silent' });

/** A Slack reply in `thread`. */
function reply(id: string, thread: string): Ingress {
  return {
    dedupeKey: `slack:${id}`,
    event: {
      kind: 'message',
      origin: { bridge: 'slack', messageId: id as MessageId, channel: 'C1', thread: thread as never },
      author: { id: 'U1' },
      sentAt: 0,
      text: id,
      attachments: [],
    },
  };
}

/** A journal whose transactions take as long as the test says: a slow one would commit after a quick one. */
function journalWithDelays(delayOf: (text: string) => number) {
  const committed: string[] = [];
  const seen = new Set<string>();
  let seq = 0;
  const journal: AtomicIngressJournal = {
    async journalOnce(keys, item) {
      await new Promise((resolve) =>
        setTimeout(resolve, delayOf(item.payload.event.kind === 'message' ? item.payload.event.text : '')),
      );
      if (keys.some((key) => seen.has(key))) return undefined;
      for (const key of keys) seen.add(key);
      committed.push((item.payload.event as { text: string }).text);
      return ++seq;
    },
  };
  return { journal, committed };
}

describe('durable ingress over a database journal', () => {
  it('journals the events of one thread in the order they arrived, even when a transaction is slow', async () => {
    const { journal, committed } = journalWithDelays((text) => (text === 'a1' ? 60 : 1));
    const ingest = createAtomicIngest(journal);
    const results = await Promise.all([
      ingest(reply('a1', 'T1'), log),
      ingest(reply('a2', 'T1'), log),
      ingest(reply('a3', 'T1'), log),
    ]);
    assert.deepEqual(results, ['accepted', 'accepted', 'accepted']);
    assert.deepEqual(committed, ['a1', 'a2', 'a3']);
  });

  it('does not hold another thread behind a slow one, and still answers a duplicate as such', async () => {
    const { journal, committed } = journalWithDelays((text) => (text === 'a1' ? 60 : 1));
    const ingest = createAtomicIngest(journal);
    const slow = ingest(reply('a1', 'T1'), log);
    const other = await ingest(reply('b1', 'T2'), log);
    assert.equal(other, 'accepted');
    assert.deepEqual(committed, ['b1'], 'the other thread did not wait');
    await slow;
    assert.equal(await ingest(reply('a1', 'T1'), log), 'duplicate');
  });
});
