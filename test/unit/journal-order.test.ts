import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inCustomerOrder } from '../../src/core/journal-planner.js';
import type { JournalEntry } from '../../src/store/store.js';

const line = '+15551234567';

/** A journaled message from `origin`, sent at `sentAt`. */
function message(seq: number, origin: Record<string, unknown>, sentAt: number): JournalEntry {
  return {
    seq,
    kind: 'ingress',
    appendedAt: seq,
    payload: {
      dedupeKey: `${String(origin['bridge'])}:${seq}`,
      event: { kind: 'message', origin, author: { id: 'someone' }, sentAt, text: `m${seq}`, attachments: [] },
    },
  };
}

const text = (seq: number, chat: string, sentAt: number) =>
  message(seq, { bridge: 'imessage', messageId: `msg_${seq}`, conversation: { line, chat } }, sentAt);
const reply = (seq: number) => message(seq, { bridge: 'slack', messageId: `${seq}`, channel: 'C1', thread: 'T1' }, 0);

describe('the order journaled events are planned in', () => {
  it("takes a conversation's texts in the order the customer sent them; other entries keep their places", () => {
    const entries = [text(1, 'A', 100), reply(2), text(3, 'B', 50), text(4, 'A', 300), text(5, 'A', 200), reply(6)];
    assert.deepEqual(
      inCustomerOrder(entries).map((entry) => entry.seq),
      [1, 2, 3, 5, 4, 6],
    );
  });

  it('keeps journal order between texts sent at the same instant, and leaves a lone text alone', () => {
    const entries = [text(1, 'A', 100), text(2, 'A', 100), text(3, 'B', 1)];
    assert.deepEqual(
      inCustomerOrder(entries).map((entry) => entry.seq),
      [1, 2, 3],
    );
  });
});
