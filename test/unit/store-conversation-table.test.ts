import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversationId, type ConversationKey } from '../../src/core/model.js';
import { ConversationTable } from '../../src/store/conversation-table.js';
import { hashString } from '../../src/store/hash.js';
import type { ShardHost } from '../../src/store/shard-table.js';
import { StoreError } from '../../src/store/store-error.js';

const host: ShardHost = {
  now: () => 1,
  assertOpen: () => undefined,
  touch: () => undefined,
  create: () => undefined,
  drop: () => undefined,
};

/** A stored conversation (as a shard file holds it) whose id hashes to `bits` in its low bits, least significant first. */
function conversationIn(bits: string, start = 0): { key: ConversationKey; stored: unknown } {
  for (let n = start; ; n++) {
    const key = { line: '+1555', chat: `cht_${n}` };
    const hash = hashString(conversationId(key));
    if ([...bits].every((bit, i) => ((hash >>> i) & 1) === Number(bit))) {
      const stored = {
        key,
        participants: [],
        threads: { slack: { channel: 'C1', thread: `${n}.1` } },
        createdAt: 1,
        lastActivityAt: 2,
      };
      return { key, stored };
    }
  }
}

describe('ConversationTable', () => {
  it('loads shards split to different depths and finds each conversation by key and by thread', () => {
    const table = new ConversationTable(host, { perShard: 256 });
    const shards = ['1', '00', '01'];
    const loaded = shards.map((bits) => conversationIn(bits));
    shards.forEach((bits, i) =>
      table.load(`conversations-${bits}`, { shard: bits, conversations: [loaded[i]?.stored] }, bits),
    );
    table.finishLoad();
    assert.equal(table.size, 3);
    for (const { key } of loaded) {
      assert.deepEqual(table.get(key)?.key, key);
      assert.deepEqual(table.findByThread('slack', 'C1', `${key.chat.slice(4)}.1`)?.key, key);
    }
  });

  it('refuses a conversation filed in a shard its hash does not belong to', () => {
    const table = new ConversationTable(host, { perShard: 256 });
    const misplaced = conversationIn('01');
    table.load('conversations-1', { shard: '1', conversations: [] }, 'f1');
    table.load('conversations-00', { shard: '00', conversations: [misplaced.stored] }, 'f00');
    table.load('conversations-01', { shard: '01', conversations: [] }, 'f01');
    assert.throws(
      () => table.finishLoad(),
      (error) =>
        error instanceof StoreError &&
        error.code === 'store_corrupt' &&
        /does not belong in this shard/.test(error.message),
    );
  });
});
