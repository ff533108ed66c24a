import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { BridgeError } from '../../src/core/errors.js';
import type { BridgeEvent, Ingress, MessageId, TeamBridgeId } from '../../src/core/model.js';
import { createReactionTable } from '../../src/core/reactions.js';
import { createRouter, type Router } from '../../src/core/router.js';
import type { RouteSpec } from '../../src/core/routes.js';
import { openMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { FakePhoneBridge, FakeTeamBridge, gate } from '../helpers/fake-bridges.js';
import { waitFor } from '../helpers/wait-for.js';

const line = '+15551234567';
const chat = 'cht_alice';
const key = { line, chat };
const replies = { mode: 'auto', notePrefix: '//', sendPrefix: '>>' } as const;

interface World {
  store: Store;
  phone: FakePhoneBridge;
  slack: FakeTeamBridge;
  discord: FakeTeamBridge;
  router: Router;
  route: (event: BridgeEvent, replay?: boolean) => Promise<void>;
}

async function world(routeOverrides: Partial<RouteSpec> = {}): Promise<World> {
  const store = await openMemoryStore({ pruneIntervalMs: 0 });
  const phone = new FakePhoneBridge();
  const slack = new FakeTeamBridge('slack');
  const discord = new FakeTeamBridge('discord');
  const router = createRouter({
    store,
    phone,
    teams: { slack, discord },
    routes: [
      {
        line,
        teams: {
          slack: { channel: 'C0SUPPORT', mode: 'two-way' },
          discord: { channel: '112233445566778899', mode: 'mirror' },
        },
        replies,
        ...routeOverrides,
      },
    ],
    reactions: createReactionTable(),
    log: pino({ level: 'silent' }),
  });
  let n = 0;
  const route = (event: BridgeEvent, replay = false) =>
    router.route({ dedupeKey: `test:${n++}`, event } satisfies Ingress, replay);
  return { store, phone, slack, discord, router, route };
}

const id = (value: string) => value as MessageId;

function fromPhone(messageId: string, text: string, extra: Partial<BridgeEvent> = {}): BridgeEvent {
  return {
    kind: 'message',
    origin: { bridge: 'imessage', messageId: id(messageId), conversation: key },
    author: { id: '+15559876543' },
    sentAt: 1_000,
    text,
    attachments: [],
    guid: `guid-${messageId}`,
    ...extra,
  } as BridgeEvent;
}

function fromTeam(
  w: World,
  team: TeamBridgeId,
  messageId: string,
  text: string,
  author = { id: 'U0ALICE', name: 'Alice' },
): BridgeEvent {
  const thread = w.store.conversations.get(key)!.threads[team]!;
  return {
    kind: 'message',
    origin: { bridge: team, messageId: id(messageId), channel: thread.channel, thread: id(thread.thread) as never },
    author,
    sentAt: 2_000,
    text,
    attachments: [],
  };
}

describe('router: phone → team', () => {
  it('creates one thread per bridge for a new chat, posts the text, and reuses the thread', async () => {
    const w = await world();
    await w.route(fromPhone('msg_1', 'Hi, is my order ready?'));
    await w.route(fromPhone('msg_2', 'Order 42'));
    for (const team of [w.slack, w.discord]) {
      assert.equal(team.threads.length, 1);
      assert.deepEqual(
        team.posts.map((p) => [p.post.voice, p.post.text, p.thread.thread]),
        [
          ['customer', 'Hi, is my order ready?', team.threads[0]!.ref.thread],
          ['customer', 'Order 42', team.threads[0]!.ref.thread],
        ],
      );
    }
    assert.deepEqual(w.store.conversations.get(key)?.participants, ['+15559876543']);
    assert.equal(w.store.links.findByIMessageId('msg_1')?.slack?.ts, w.slack.posts[0]!.ref.id);
  });

  it('creates exactly one thread per bridge when two first messages of a new chat arrive together', async () => {
    const w = await world();
    const hold = gate();
    w.slack.createThreadGate = hold.promise;
    w.discord.createThreadGate = hold.promise;
    const both = Promise.all([w.route(fromPhone('msg_a', 'one')), w.route(fromPhone('msg_b', 'two'))]);
    await new Promise((resolve) => setImmediate(resolve));
    hold.release();
    await both;
    assert.equal(w.slack.threads.length, 1);
    assert.equal(w.discord.threads.length, 1);
    assert.deepEqual(
      w.slack.posts.map((p) => p.post.text),
      ['one', 'two'],
      'order kept',
    );
  });

  it('does not post twice when an event is replayed after a restart', async () => {
    const w = await world();
    await w.route(fromPhone('msg_1', 'once'));
    await w.route(fromPhone('msg_1', 'once'), true);
    assert.equal(w.slack.posts.length, 1);
    assert.equal(w.discord.posts.length, 1);
  });

  it('keeps delivering to one bridge when another fails', async () => {
    const w = await world();
    w.slack.failNext.createThread = new BridgeError('platform_error', 'slack is down');
    await w.route(fromPhone('msg_1', 'hello'));
    assert.equal(w.slack.posts.length, 0);
    assert.equal(w.discord.posts.length, 1);
    await w.route(fromPhone('msg_2', 'again'));
    assert.equal(w.slack.threads.length, 1, 'the next message creates the Slack thread');
    assert.equal(w.discord.threads.length, 1);
  });

  it('mirrors a message sent from the phone itself (unknown outbox id) into every thread as the line', async () => {
    const w = await world();
    await w.route(fromPhone('msg_1', 'hi'));
    await w.route(
      fromPhone('msg_2', 'Typed on the phone', { fromLine: true, outboxId: 'obx_other', author: { id: line } }),
    );
    await w.route(fromPhone('msg_3', 'Sent by another tool', { fromLine: true, author: { id: line } }));
    for (const team of [w.slack, w.discord]) {
      assert.deepEqual(
        team.posts.slice(1).map((p) => [p.post.voice, p.post.text]),
        [
          ['line', 'Typed on the phone'],
          ['line', 'Sent by another tool'],
        ],
      );
    }
  });

  it('shows a tapback on the linked message in every thread, and removes it', async () => {
    const w = await world();
    await w.route(fromPhone('msg_1', 'hi'));
    const tapback = (removed: boolean): BridgeEvent => ({
      kind: 'reaction',
      origin: { bridge: 'imessage', messageId: id('rxn_1'), conversation: key },
      author: { id: '+15559876543' },
      sentAt: 3_000,
      target: id('guid-msg_1'),
      emoji: '❤️',
      removed,
    });
    await w.route(tapback(false));
    await w.route(tapback(true));
    assert.deepEqual(w.slack.reactions, [
      { message: w.slack.posts[0]!.ref, emoji: '❤️', removed: false },
      { message: w.slack.posts[0]!.ref, emoji: '❤️', removed: true },
    ]);
    assert.equal(w.discord.reactions.length, 2);
  });
});

describe('router: team → phone', () => {
  async function linked(overrides: Partial<RouteSpec> = {}) {
    const w = await world(overrides);
    await w.route(fromPhone('msg_1', 'hi'));
    return w;
  }

  it('sends a reply from a two-way thread to the phone, mirrors it to the other bridge, and marks it ✅ on message.sent', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'slack', '1700000000.000100', 'Yes, ready at 5'));
    assert.deepEqual(
      w.phone.sends.map((s) => [s.conversation, s.message.text]),
      [[key, 'Yes, ready at 5']],
    );
    assert.deepEqual(w.discord.posts.at(-1)?.post.voice, 'team');
    assert.equal(w.discord.posts.at(-1)?.post.text, 'Yes, ready at 5');
    assert.equal(w.slack.marks.length, 0, 'not marked before messages.dev confirms');
    await w.route(
      fromPhone('msg_9', 'Yes, ready at 5', {
        fromLine: true,
        outboxId: w.phone.sends[0]!.outboxId,
        author: { id: line },
      }),
    );
    assert.deepEqual(
      w.slack.marks.map((m) => [m.message.id, m.mark]),
      [['1700000000.000100', 'sent']],
    );
    assert.deepEqual(
      w.discord.marks.map((m) => m.mark),
      ['sent'],
      'the mirrored copy is marked too',
    );
    assert.equal(w.slack.posts.length, 1, 'our own send is not mirrored back as a new message');
    assert.equal(w.discord.posts.length, 2);
    assert.equal(w.store.links.findByOutboxId(w.phone.sends[0]!.outboxId)?.imessage?.id, 'msg_9');
  });

  it('waits for an in-flight send before deciding whether message.sent is ours', async () => {
    const w = await linked();
    const hold = gate();
    const send = w.phone.send.bind(w.phone);
    w.phone.send = async (conversation, message) => {
      await hold.promise;
      return send(conversation, message);
    };
    const reply = w.route(fromTeam(w, 'slack', '1700000000.000100', 'racing'));
    await new Promise((resolve) => setImmediate(resolve));
    const sent = w.route(fromPhone('msg_9', 'racing', { fromLine: true, outboxId: 'obx_1', author: { id: line } }));
    hold.release();
    await Promise.all([reply, sent]);
    assert.equal(w.slack.posts.length, 1, 'not mirrored as "sent from the line"');
    assert.deepEqual(
      w.slack.marks.map((m) => m.mark),
      ['sent'],
    );
  });

  it('never sends from a mirror route: the author is told and the message marked as a note', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'discord', '900000000000000001', 'can I answer here?', { id: '222', name: 'bob' }));
    assert.equal(w.phone.sends.length, 0);
    assert.equal(w.discord.told.length, 1);
    assert.match(w.discord.told[0]!.text, /mirrors the conversation read-only/);
    assert.deepEqual(
      w.discord.marks.map((m) => m.mark),
      ['note'],
    );
  });

  it('keeps notes internal (📝) and, in explicit mode, sends only >> messages', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'slack', '1.1', '// she called yesterday'));
    assert.equal(w.phone.sends.length, 0);
    assert.deepEqual(
      w.slack.marks.map((m) => m.mark),
      ['note'],
    );
    assert.equal(w.discord.posts.length, 1, 'notes are not mirrored');

    const explicit = await linked({ replies: { ...replies, mode: 'explicit' } });
    await explicit.route(fromTeam(explicit, 'slack', '2.1', 'thinking out loud'));
    await explicit.route(fromTeam(explicit, 'slack', '2.2', '>> Your order is ready'));
    assert.deepEqual(
      explicit.phone.sends.map((s) => s.message.text),
      ['Your order is ready'],
    );
    assert.deepEqual(
      explicit.slack.marks.map((m) => [m.message.id, m.mark]),
      [['2.1', 'note']],
    );
  });

  it('refuses an author outside the allow-list and tells them', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'slack', '3.1', 'hello', { id: 'U0EVE', name: 'Eve', mayText: false } as never));
    assert.equal(w.phone.sends.length, 0);
    assert.match(w.slack.told[0]!.text, /not on the list/);
  });

  it('marks a failed send ⚠️ with the reason, and a later outbox failure too', async () => {
    const w = await linked();
    w.phone.failNextSend = new BridgeError('platform_error', 'Not sent: this contact has not texted the line yet', {
      notifyUser: true,
    });
    await w.route(fromTeam(w, 'slack', '4.1', 'hello?'));
    assert.deepEqual(
      w.slack.marks.map((m) => [m.mark, m.reason]),
      [['failed', 'Not sent: this contact has not texted the line yet']],
    );

    await w.route(fromTeam(w, 'slack', '4.2', 'second try'));
    await w.route({
      kind: 'delivery',
      origin: { bridge: 'imessage', messageId: id('obx_1'), conversation: key },
      outboxId: w.phone.sends[0]!.outboxId,
      status: 'failed',
      reason: 'messages.dev could not deliver it: not registered with iMessage',
    });
    assert.deepEqual(w.slack.marks.at(-1), {
      thread: w.store.conversations.get(key)!.threads.slack!,
      message: { channel: w.store.conversations.get(key)!.threads.slack!.channel, id: '4.2' },
      mark: 'failed',
      reason: 'messages.dev could not deliver it: not registered with iMessage',
    });
  });

  it('ignores its own echoes: a team event for a message Threadline posted is not sent', async () => {
    const w = await linked();
    const own = w.slack.posts[0]!.ref;
    const thread = w.store.conversations.get(key)!.threads.slack!;
    await w.route({
      kind: 'message',
      origin: { bridge: 'slack', messageId: id(own.id), channel: thread.channel, thread: id(thread.thread) as never },
      author: { id: 'UBOT' },
      sentAt: 5,
      text: 'hi',
      attachments: [],
    });
    assert.equal(w.phone.sends.length, 0);
    assert.equal(w.discord.posts.length, 1);
  });

  it('ignores messages outside linked threads', async () => {
    const w = await linked();
    await w.route({
      kind: 'message',
      origin: { bridge: 'slack', messageId: id('9.9'), channel: 'C0SUPPORT', thread: id('0.0') as never },
      author: { id: 'U0ALICE' },
      sentAt: 5,
      text: 'general chatter',
      attachments: [],
    });
    assert.equal(w.phone.sends.length, 0);
  });

  it('sends one attachment per send, the text with the first', async () => {
    const w = await linked();
    const event = fromTeam(w, 'slack', '6.1', 'two files');
    const files = [
      { name: 'a.png', mimeType: 'image/png', ref: 'F1' },
      { name: 'b.pdf', mimeType: 'application/pdf', ref: 'F2' },
    ];
    await w.route({ ...event, attachments: files } as BridgeEvent);
    assert.deepEqual(
      w.phone.sends.map((s) => [s.message.text, s.message.attachment?.name]),
      [
        ['two files', 'a.png'],
        ['', 'b.pdf'],
      ],
    );
  });

  it('after a crash between the parts of a two-file reply, sends only the part that had not gone out', async () => {
    const w = await linked();
    const files = [
      { name: 'a.png', mimeType: 'image/png', ref: 'F1' },
      { name: 'b.pdf', mimeType: 'application/pdf', ref: 'F2' },
    ];
    const event = { ...fromTeam(w, 'slack', '6.2', 'two files'), attachments: files } as BridgeEvent;
    // The first part goes out, then the process "dies" while the second is in flight.
    const send = w.phone.send.bind(w.phone);
    w.phone.send = (conversation, message) =>
      message.attachment?.name === 'b.pdf' ? new Promise(() => {}) : send(conversation, message);
    void w.route(event);
    await waitFor(() => w.phone.sends.length === 1);
    // A new process on the same store replays the journal entry.
    const phone = new FakePhoneBridge();
    const router = createRouter({
      store: w.store,
      phone,
      teams: { slack: w.slack, discord: w.discord },
      routes: [{ line, teams: { slack: { channel: 'C0SUPPORT', mode: 'two-way' } }, replies }],
      reactions: createReactionTable(),
      log: pino({ level: 'silent' }),
    });
    await router.route({ dedupeKey: 'replayed', event }, true);
    assert.deepEqual(
      phone.sends.map((s) => [s.message.attachment?.name, s.message.replay]),
      [['b.pdf', true]],
      'the sent part is skipped; the interrupted one is reconciled by the bridge',
    );
  });

  it('turns a team reaction into a tapback, explains unmapped emoji, and cannot remove one', async () => {
    const w = await linked();
    const thread = w.store.conversations.get(key)!.threads.slack!;
    const react = (emoji: string, removed = false): BridgeEvent => ({
      kind: 'reaction',
      origin: { bridge: 'slack', messageId: id('r'), channel: thread.channel, thread: id(thread.thread) as never },
      author: { id: 'U0ALICE' },
      sentAt: 7,
      target: id(w.slack.posts[0]!.ref.id),
      emoji,
      removed,
    });
    await w.route(react('👍'));
    await w.route(react('🎉'));
    await w.route(react('👍', true));
    assert.deepEqual(w.phone.tapbacks, [{ conversation: key, messageId: 'msg_1', tapback: 'like' }]);
    assert.equal(w.slack.told.length, 1);
    assert.match(w.slack.told[0]!.text, /iMessage only takes/);
  });

  it('tells the author that an edit cannot reach the phone', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'slack', '7.1', 'Teh order'));
    const thread = w.store.conversations.get(key)!.threads.slack!;
    await w.route({
      kind: 'edit',
      origin: { bridge: 'slack', messageId: id('7.1'), channel: thread.channel, thread: id(thread.thread) as never },
      author: { id: 'U0ALICE' },
      sentAt: 8,
      target: id('7.1'),
      text: 'The order',
    });
    assert.match(w.slack.told.at(-1)!.text, /Edits cannot reach the customer/);
    assert.equal(w.phone.sends.length, 1);
  });
});
