import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvableEvent } from '../../src/core/bridge.js';
import { BridgeError, PlatformError } from '../../src/core/errors.js';
import type { BridgeEvent, MessageId, TeamBridgeId } from '../../src/core/model.js';
import { currentAttemptHook } from '../../src/queue/attempt-scope.js';
import { FakePhoneBridge, gate } from '../helpers/fake-bridges.js';
import { key, line, replies, routerWorld, type RouterWorld } from '../helpers/router-world.js';
import { waitFor } from '../helpers/wait-for.js';

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
  w: RouterWorld,
  team: TeamBridgeId,
  messageId: string,
  text: string,
  author: { id: string; name?: string; mayText?: boolean } = { id: 'U0ALICE', name: 'Alice' },
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

const transient = (message = 'HTTP 503') =>
  new PlatformError('slack', 503, 'platform_error', message, { retryable: true });

describe('router: phone → team', () => {
  it('creates one thread per bridge for a new chat, posts the text, and reuses the thread', async () => {
    const w = await routerWorld();
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
    assert.equal(w.store.effects.size, 0, 'every effect done');
  });

  it('lets a thread root carry the first text (one post per new conversation) and reacts on the root', async () => {
    const w = await routerWorld();
    w.slack.rootCarriesFirst = true;
    await w.route(fromPhone('msg_1', 'first'));
    await w.route(fromPhone('msg_2', 'second'));
    assert.deepEqual(w.slack.calls, ['createThread', 'post'], 'the first text costs no post of its own');
    const root = w.slack.threads[0]!.ref;
    assert.equal(w.store.links.findByIMessageId('msg_1')?.slack?.ts, root.thread, 'the first text is the root');
    await w.route({
      kind: 'reaction',
      origin: { bridge: 'imessage', messageId: id('rxn_1'), conversation: key },
      author: { id: '+15559876543' },
      sentAt: 3_000,
      target: id('msg_1'),
      emoji: '❤️',
      removed: false,
    });
    assert.deepEqual(w.slack.reactions, [
      { message: { channel: 'C0SUPPORT', id: root.thread }, emoji: '❤️', removed: false },
    ]);
  });

  it('creates exactly one thread per bridge when two first messages of a new chat arrive together, in order', async () => {
    const w = await routerWorld();
    const hold = gate();
    w.slack.createThreadGate = hold.promise;
    w.discord.createThreadGate = hold.promise;
    w.plan(fromPhone('msg_a', 'one'));
    w.plan(fromPhone('msg_b', 'two'));
    await new Promise((resolve) => setImmediate(resolve));
    hold.release();
    await w.settle();
    assert.equal(w.slack.threads.length, 1);
    assert.equal(w.discord.threads.length, 1);
    assert.deepEqual(
      w.slack.posts.map((p) => p.post.text),
      ['one', 'two'],
      'order kept',
    );
  });

  it('does not post twice when the same message is planned again', async () => {
    const w = await routerWorld();
    await w.route(fromPhone('msg_1', 'once'));
    await w.route(fromPhone('msg_1', 'once'));
    assert.equal(w.slack.posts.length, 1);
    assert.equal(w.discord.posts.length, 1);
  });

  it('keeps a failing platform’s work pending, in order, while the other keeps flowing', async () => {
    const w = await routerWorld();
    w.slack.failNext.createThread = [transient(), transient(), transient()];
    await w.route(fromPhone('msg_1', 'hello'));
    await w.route(fromPhone('msg_2', 'again'));
    assert.deepEqual(
      w.discord.posts.map((p) => p.post.text),
      ['hello', 'again'],
      'Discord is not held up by Slack',
    );
    assert.deepEqual(
      w.slack.posts.map((p) => p.post.text),
      ['hello', 'again'],
      'Slack got both once it answered, in order',
    );
    assert.equal(w.slack.threads.length, 1);
    assert.equal(w.store.effects.size, 0);
  });

  it('mirrors a message sent from the phone itself (unknown outbox id) into every thread as the line', async () => {
    const w = await routerWorld();
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
    const w = await routerWorld();
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
  async function linked(route = {}) {
    const w = await routerWorld({ route });
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
    assert.equal(w.store.effects.size, 0, 'the delivery tracking ended with message.sent');
  });

  it('waits for an in-flight send before deciding whether message.sent is ours', async () => {
    const w = await linked();
    const hold = gate();
    const send = w.phone.send.bind(w.phone);
    w.phone.send = async (conversation, message) => {
      await hold.promise;
      return send(conversation, message);
    };
    w.plan(fromTeam(w, 'slack', '1700000000.000100', 'racing'));
    await new Promise((resolve) => setImmediate(resolve));
    w.plan(fromPhone('msg_9', 'racing', { fromLine: true, outboxId: 'obx_1', author: { id: line } }));
    hold.release();
    await w.settle();
    assert.equal(w.slack.posts.length, 1, 'not mirrored as "sent from the line"');
    assert.deepEqual(
      w.slack.marks.map((m) => m.mark),
      ['sent'],
    );
  });

  it('sends replies to the phone in the order they were written, across Slack and Discord', async () => {
    const w = await linked({
      teams: { slack: { channel: 'C0SUPPORT', mode: 'two-way' }, discord: { channel: '1122', mode: 'two-way' } },
    });
    const slow = gate();
    // The Slack reply's lookups are slow; the Discord reply written after it must still go second.
    w.slack.resolve = async <E extends ResolvableEvent>(event: E): Promise<E> => {
      await slow.promise;
      const { unresolved: _unresolved, ...rest } = event;
      return rest as E;
    };
    w.plan({ ...fromTeam(w, 'slack', '1.1', 'first'), unresolved: true } as BridgeEvent);
    w.plan(fromTeam(w, 'discord', '900000000000000001', 'second'));
    await new Promise((resolveTick) => setTimeout(resolveTick, 20));
    assert.equal(w.phone.sends.length, 0, 'the second waits for the first');
    slow.release();
    await w.settle();
    assert.deepEqual(
      w.phone.sends.map((s) => s.message.text),
      ['first', 'second'],
    );
  });

  it('never holds a customer text behind a ✅ still waiting for its budget (marks of posted copies have their own lane)', async () => {
    const w = await linked();
    await w.route(fromTeam(w, 'slack', '1700000000.000100', 'Yes, ready at 5'));
    const held = gate();
    w.slack.markGate = held.promise;
    w.plan(
      fromPhone('msg_9', 'Yes, ready at 5', {
        fromLine: true,
        outboxId: w.phone.sends[0]!.outboxId,
        author: { id: line },
      }),
    );
    await waitFor(() => w.slack.calls.includes('mark'));
    const posted = w.slack.posts.length;
    w.plan(fromPhone('msg_10', 'Great, see you'));
    await waitFor(() => w.slack.posts.length === posted + 1);
    assert.equal(w.slack.posts.at(-1)?.post.text, 'Great, see you');
    assert.equal(w.slack.marks.length, 0, 'the ✅ is still waiting');
    held.release();
    await w.settle();
    assert.deepEqual(
      w.slack.marks.map((m) => [m.message.id, m.mark]),
      [['1700000000.000100', 'sent']],
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
    await w.route(fromTeam(w, 'slack', '3.1', 'hello', { id: 'U0EVE', name: 'Eve', mayText: false }));
    assert.equal(w.phone.sends.length, 0);
    assert.match(w.slack.told[0]!.text, /not on the list/);
  });

  it('marks a refused send ⚠️ with the reason, keeps it as a dead letter, and marks a later outbox failure too', async () => {
    const w = await linked();
    w.phone.failNextSend = new BridgeError('platform_error', 'Not sent: this contact has not texted the line yet', {
      notifyUser: true,
    });
    await w.route(fromTeam(w, 'slack', '4.1', 'hello?'));
    assert.deepEqual(
      w.slack.marks.map((m) => [m.mark, m.reason]),
      [['failed', 'Not sent: this contact has not texted the line yet']],
    );
    const dead = w.store.effects.list().filter((effect) => effect.deadAt !== undefined);
    assert.deepEqual(
      dead.map((effect) => [effect.destination, (effect.op as { kind: string }).kind, effect.lastError?.code]),
      [['imessage:+15551234567', 'reply', 'platform_error']],
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

  it('asks messages.dev how an accepted send ended, and marks what it says', async () => {
    const w = await routerWorld({ pollScheduleMs: [10, 20] });
    await w.route(fromPhone('msg_1', 'hi'));
    await w.route(fromTeam(w, 'slack', '5.1', 'are you there?'));
    const outboxId = w.phone.sends[0]!.outboxId;
    await waitFor(() => w.phone.deliveryPolls.length >= 2, { message: 'polled twice while pending' });
    w.phone.outbox.set(outboxId, { status: 'failed', reason: 'not registered with iMessage' });
    await waitFor(() => w.slack.marks.length === 1);
    assert.deepEqual(
      w.slack.marks.map((m) => [m.mark, m.reason]),
      [['failed', 'messages.dev could not deliver it: not registered with iMessage']],
    );
    await waitFor(() => w.store.effects.size === 0);
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
    assert.equal(w.store.effects.size, 0);
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
    w.plan(event);
    await waitFor(() => w.phone.sends.length === 1);
    await w.store.commit();
    // A new process on the same store picks the effect up.
    const phone = new FakePhoneBridge();
    const after = await w.restart({ phone });
    await after.settle();
    assert.deepEqual(
      phone.sends.map((s) => [s.message.attachment?.name, s.message.replay]),
      [['b.pdf', false]],
      'the sent part is skipped; the second was never attempted (no call was made), so it is simply sent',
    );
  });

  it('reconciles only an effect whose call was in flight at a crash', async () => {
    const w = await linked();
    const send = w.phone.send.bind(w.phone);
    // The call is made (the effect is marked attempted, as the send queue does) and never answers: the
    // process "dies".
    w.phone.send = async () => {
      await currentAttemptHook()?.();
      return new Promise(() => {});
    };
    w.plan(fromTeam(w, 'slack', '8.1', 'in flight'));
    w.plan(fromTeam(w, 'slack', '8.2', 'queued behind'));
    await waitFor(() => w.store.effects.list().some((effect) => effect.attemptedAt !== undefined));
    w.phone.send = send;
    const phone = new FakePhoneBridge();
    const after = await w.restart({ phone });
    await after.settle();
    assert.deepEqual(
      phone.sends.map((s) => [s.message.text, s.message.replay]),
      [
        ['in flight', true],
        ['queued behind', false],
      ],
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

describe('router: effects in foul weather', () => {
  it('does not call a platform before its bridge is connected, then catches up in order', async () => {
    const w = await routerWorld();
    w.discord.connection = 'connecting';
    await w.route(fromPhone('msg_1', 'one'));
    await w.route(fromPhone('msg_2', 'two'));
    assert.deepEqual(w.discord.calls, [], 'nothing sent to a bridge that is not connected');
    assert.equal(w.slack.posts.length, 2);
    w.discord.connection = 'connected';
    await waitFor(() => w.discord.posts.length === 2);
    assert.deepEqual(
      w.discord.posts.map((p) => p.post.text),
      ['one', 'two'],
    );
  });

  it('fails an effect for good on an error retrying cannot fix: a notice in the thread and a dead letter', async () => {
    const w = await routerWorld();
    await w.route(fromPhone('msg_1', 'hi'));
    w.slack.failNext.post = new BridgeError('platform_error', 'Slack refused chat.postMessage: msg_too_long');
    await w.route(fromPhone('msg_2', 'x'.repeat(50)));
    await w.route(fromPhone('msg_3', 'after'));
    assert.deepEqual(
      w.slack.notices.map((n) => n.text),
      ['A message could not be shown here: Slack refused chat.postMessage: msg_too_long'],
    );
    assert.deepEqual(
      w.slack.posts.map((p) => p.post.text),
      ['hi', 'after'],
      'the lane goes on after the failure',
    );
    const dead = w.store.effects.list();
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.destination, 'slack:C0SUPPORT');
    assert.ok(dead[0]!.deadAt !== undefined);
  });

  it('retries a transient failure until maxAge, then fails visibly', async () => {
    let skew = 0;
    const w = await routerWorld({ now: () => Date.now() + skew, maxAgeMs: 60_000, retry: { baseMs: 1, capMs: 2 } });
    await w.route(fromPhone('msg_1', 'hi'));
    w.slack.failNext.post = Array.from({ length: 1_000 }, () => transient('HTTP 503 from Slack'));
    w.plan(fromPhone('msg_2', 'during the outage'));
    await waitFor(() => (w.store.effects.list()[0]?.attempts ?? 0) >= 3);
    assert.equal(w.store.effects.list()[0]!.deadAt, undefined, 'still pending within maxAge');
    skew += 61_000;
    await waitFor(() => w.slack.notices.length === 1);
    assert.match(w.slack.notices[0]!.text, /A message could not be shown here: still failing after 1 min \(HTTP 503/);
    const [dead] = w.store.effects.list();
    assert.equal((dead!.op as { kind: string }).kind, 'post');
    assert.ok(dead!.deadAt !== undefined);
  });

  it('retries a dead letter when an operator asks, and delivers it once', async () => {
    const w = await routerWorld();
    await w.route(fromPhone('msg_1', 'hi'));
    w.slack.failNext.post = new BridgeError('not_found', 'channel_not_found');
    await w.route(fromPhone('msg_2', 'lost?'));
    const [dead] = w.store.effects.list();
    assert.ok(dead?.deadAt !== undefined);
    assert.equal(w.runner.requeue(dead.id), true);
    await w.settle();
    assert.deepEqual(
      w.slack.posts.map((p) => p.post.text),
      ['hi', 'lost?'],
    );
    assert.equal(w.store.effects.list().filter((effect) => (effect.op as { kind: string }).kind === 'post').length, 0);
  });
});
