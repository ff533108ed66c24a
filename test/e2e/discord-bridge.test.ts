import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { discordBuckets, discordDestinationConfig } from '../../bridges/discord/destinations.js';
import { createDiscordBridge } from '../../bridges/discord/index.js';
import {
  startDiscordSimulator,
  type DiscordSimulatorOptions,
  type RecordedCall,
  type SimMessage,
} from '../../sandbox/discord/index.js';
import type { ThreadRef } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import { createSendQueues } from '../../src/queue/send-queues.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  customer,
  discordForumChannel,
  discordTextChannel as textChannel,
  line,
  startWorld,
  type World,
} from '../helpers/world.js';

const alice = '444444444444444441';
const bob = '444444444444444442';
const bot = '111111111111111111';
const supportRole = '555555555555555551';

/** The conversation's thread (the only one) and what is in it. */
function threadOf(world: World) {
  const thread = [...world.discord!.state.threads.values()].find((item) => item.parent_id === world.discordChannel);
  return { thread, messages: thread ? world.discord!.state.messages(thread.id) : [] };
}

async function firstThread(world: World) {
  return waitFor(() => threadOf(world).thread);
}

/** Messages in the thread that the bridge posted (as the bot or through its webhook). */
function posts(world: World): SimMessage[] {
  return threadOf(world).messages.filter((message) => message.origin === 'bot' || message.origin === 'webhook');
}

function sentToPhone(world: World) {
  return world.phone.state.outbox.filter((item) => item.kind === 'message');
}

/** Every call that creates a message: bot posts, webhook executions, thread and forum post creation. */
function createCalls(world: World): RecordedCall[] {
  return world.discord!.calls.filter(
    (call) =>
      call.method === 'POST' &&
      ['/channels/:channel/messages', '/webhooks/:webhook/:token', '/channels/:channel/threads'].includes(
        call.template,
      ),
  );
}

/** The JSON of a call, whether sent as JSON or as multipart `payload_json`. */
function payloadOf(call: RecordedCall): Record<string, unknown> {
  const body = (call.body ?? {}) as Record<string, unknown>;
  const json = body['payload_json'];
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : body;
}

function hasReaction(message: SimMessage | undefined, emoji: string, user = bot): boolean {
  return !!message?.reactions.some((reaction) => reaction.emoji.name === emoji && reaction.users.includes(user));
}

function messageIn(world: World, threadId: string, id: string): SimMessage | undefined {
  return world.discord!.state.messages(threadId).find((message) => message.id === id);
}

/** The bridge alone (its own queues, no daemon) against a simulator, for start-up and typing. */
async function bridgeAlone(
  t: TestContext,
  simOptions: DiscordSimulatorOptions,
  overrides: {
    token?: string;
    channels?: string[];
    forwardTyping?: boolean;
    onTyping?: (thread: ThreadRef) => void;
    isLinked?: (messageId: string) => boolean;
  } = {},
) {
  const sim = await startDiscordSimulator(simOptions);
  const log = pino({ level: 'silent' });
  const queues = createSendQueues({
    log,
    registry: new Registry(),
    buckets: discordBuckets,
    destinations: discordDestinationConfig,
  });
  const bridge = createDiscordBridge({
    config: {
      token: overrides.token ?? sim.token,
      apiUrl: sim.apiUrl,
      forwardTyping: overrides.forwardTyping ?? false,
    },
    queues,
    log,
    channels: overrides.channels ?? [textChannel],
    ...(overrides.onTyping ? { onTyping: overrides.onTyping } : {}),
    ...(overrides.isLinked ? { isLinked: overrides.isLinked } : {}),
  });
  t.after(async () => {
    await bridge.stop();
    queues.close();
    await sim.close();
  });
  return { sim, bridge };
}

/** Starts the bridge alone and returns the error its start() throws. */
async function startBridgeFails(
  t: TestContext,
  simOptions: DiscordSimulatorOptions,
  overrides: { token?: string; channels?: string[] } = {},
): Promise<BridgeError> {
  const { bridge } = await bridgeAlone(t, simOptions, overrides);
  const error = await bridge
    .start(async () => 'accepted')
    .then(
      () => assert.fail('start() should have failed'),
      (caught: unknown) => caught,
    );
  assert.ok(error instanceof BridgeError, String(error));
  assert.equal(bridge.state(), 'bad-credentials');
  return error;
}

/** The bridge logged that it dropped this message of its own (webhook echo or bot post). */
function droppedEcho(world: World, messageId: string): boolean {
  return world.daemon.lines.some(
    (entry) => entry.msg === 'Discord message not from a person' && entry['message_id'] === messageId,
  );
}

/** A customer text posted in the thread; resolves with the thread and the posted message. */
async function customerStarts(world: World, text: string) {
  const { message } = await world.phone.simulateInbound({ from: customer, text });
  const thread = await firstThread(world);
  const posted = await waitFor(() => posts(world).find((item) => item.content === text || item.content.endsWith(text)));
  return { thread, posted, phoneMessage: message };
}

describe('Discord bridge: threads and inbound text', () => {
  it('creates one public thread in a text channel named after the contact, posts through the channel webhook, reuses both after a restart', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread, posted } = await customerStarts(world, 'Hi, is my order ready?');
    assert.equal(thread.type, 11);
    assert.equal(thread.auto_archive_duration, 10080, 'the longest auto-archive');
    assert.ok(thread.name.includes(customer) && thread.name.includes(line), thread.name);
    assert.equal(posted.origin, 'webhook');
    assert.equal(posted.author.username, customer, 'shown under the customer’s name');
    assert.equal(world.discord!.state.webhooks.size, 1);

    await world.restart();
    await world.phone.simulateInbound({ from: customer, text: 'Order 42' });
    await waitFor(() => posts(world).some((message) => message.content === 'Order 42'));
    assert.equal([...world.discord!.state.threads.values()].length, 1, 'no second thread after the restart');
    assert.equal(world.discord!.state.webhooks.size, 1, 'the webhook was found again by name, not created anew');
    assert.equal(posts(world).at(-1)?.webhook_id, posted.webhook_id);
  });

  it('creates a post in a forum channel whose first message describes the conversation', async (t) => {
    const world = await startWorld(t, { discord: { channel: discordForumChannel } });
    const { thread, posted } = await customerStarts(world, 'Hello from the forum');
    assert.equal(thread.parent_id, discordForumChannel);
    const [starter] = world.discord!.state.messages(thread.id);
    assert.equal(starter?.id, thread.id, 'the post’s first message');
    assert.match(starter.content, new RegExp(`${customer.replace('+', '\\+')}.*texting.*${line.replace('+', '\\+')}`));
    assert.equal(posted.origin, 'webhook');
  });

  it('creates one thread when a new chat sends messages at the same time', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const sent = await Promise.all(
      ['first', 'second', 'third'].map((text) => world.phone.simulateInbound({ from: customer, text })),
    );
    assert.equal(new Set(sent.map((item) => item.chatId)).size, 1, 'one chat');
    await waitFor(() => posts(world).length === 3);
    assert.equal(world.discord!.state.threads.size, 1);
    assert.equal(createCalls(world).filter((call) => call.template === '/channels/:channel/threads').length, 1);
    assert.deepEqual(
      posts(world)
        .map((message) => message.content)
        .sort(),
      ['first', 'second', 'third'],
    );
  });

  it('unarchives an archived thread when a new message arrives', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'one');
    world.discord!.archiveThread(thread.id);
    await world.phone.simulateInbound({ from: customer, text: 'two' });
    await waitFor(() => posts(world).some((message) => message.content === 'two'));
    assert.equal(world.discord!.state.threads.get(thread.id)?.archived, false);
  });

  for (const [kind, channel] of [
    ['text', textChannel],
    ['forum', discordForumChannel],
  ] as const) {
    it(`lets a customer text ping nobody in a ${kind} channel: allowed_mentions on every create call, escaped markup`, async (t) => {
      const world = await startWorld(t, {
        discord: { channel, sim: { roles: [{ id: supportRole, name: 'Support' }] } },
      });
      const text = `@everyone <@&${supportRole}> <@${alice}> @here [bank.com](https://evil.example) ||x|| # big`;
      await world.phone.simulateInbound({ from: customer, text });
      await world.phone.simulateInbound({
        from: customer,
        text: `<@${bob}> see file`,
        attachments: [{ filename: 'a.png', mimeType: 'image/png', data: Buffer.from('png') }],
      });
      const thread = await firstThread(world);
      await waitFor(() => posts(world).filter((message) => message.id !== thread.id).length === 2);
      const [posted, withFile] = posts(world).filter((message) => message.id !== thread.id);
      assert.equal(
        posted!.content,
        `\\@everyone \\<@&${supportRole}\\> \\<@${alice}\\> \\@here \\[bank.com\\](https://evil.example) \\|\\|x\\|\\| # big`,
      );
      assert.equal(withFile!.attachments.length, 1);
      for (const message of posts(world)) {
        assert.deepEqual(
          { users: message.mentions, roles: message.mention_roles, everyone: message.mention_everyone },
          { users: [], roles: [], everyone: false },
        );
      }
      const calls = createCalls(world);
      assert.ok(calls.some((call) => call.template === '/webhooks/:webhook/:token'));
      for (const call of calls) {
        const payload = payloadOf(call);
        if (call.template !== '/channels/:channel/threads') {
          assert.deepEqual(payload['allowed_mentions'], { parse: [] }, call.route);
        } else if (kind === 'forum') {
          assert.deepEqual((payload['message'] as Record<string, unknown>)['allowed_mentions'], { parse: [] });
        }
      }
    });
  }

  it('splits a 4,500-character text into ordered parts of at most 2,000 characters', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const words = Array.from({ length: 900 }, (_, index) => `w${String(index).padStart(3, '0')}`);
    const text = `${words.join(' ')}.`;
    assert.equal(text.length, 4500);
    await world.phone.simulateInbound({ from: customer, text });
    await waitFor(() => posts(world).length === 3, { timeoutMs: 5000 });
    const parts = posts(world).map((message) => message.content);
    assert.ok(parts.every((part) => part.length <= 2000));
    assert.equal(parts.join(' '), text, 'in order, nothing lost');
  });

  it('posts as the bot with the customer’s name in the text when Manage Webhooks is missing, and says so at start-up', async (t) => {
    const world = await startWorld(t, {
      discord: {
        sim: {
          channels: [{ id: textChannel, name: 'support', type: 0, botPermissions: { manageWebhooks: false } }],
        },
      },
    });
    assert.ok(world.daemon.lines.some((entry) => entry.level === 'warn' && /Manage Webhooks/.test(entry.msg)));
    await world.phone.simulateInbound({ from: customer, text: 'hello' });
    const posted = await waitFor(() => posts(world)[0]);
    assert.equal(posted.origin, 'bot');
    assert.equal(posted.content, `**${customer}:** hello`);
    await waitFor(() => droppedEcho(world, posted.id));
    const call = createCalls(world).find((item) => item.template === '/channels/:channel/messages')!;
    assert.equal(typeof payloadOf(call)['nonce'], 'string');
    assert.ok((payloadOf(call)['nonce'] as string).length <= 25);
    assert.equal(payloadOf(call)['enforce_nonce'], true);
  });
});

describe('Discord bridge: team replies', () => {
  it('sends a member’s reply to the phone as plain text and marks it ✅ when messages.dev confirms', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'hello');
    const reply = await world.discord!.postAsMember({
      userId: alice,
      channelId: thread.id,
      content: `**Yes!** See [your order](https://example.com/o/42) and ask <@${bob}> on <t:1700000000:D>`,
    });
    const sent = await waitFor(() => sentToPhone(world)[0]);
    assert.equal(
      (sent.payload as { text: string }).text,
      'Yes! See your order (https://example.com/o/42) and ask @Bob on November 14, 2023',
    );
    await waitFor(() => hasReaction(messageIn(world, thread.id, reply.id), '✅'), { timeoutMs: 5000 });
  });

  it('never texts an internal note (//) and marks it 📝', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'hi');
    const note = await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: '// VIP, be nice' });
    await waitFor(() => hasReaction(messageIn(world, thread.id, note.id), '📝'));
    assert.equal(sentToPhone(world).length, 0);
  });

  it('never sends from a mirror route, and tells only the author why', async (t) => {
    const world = await startWorld(t, { discord: { routeMode: 'mirror' } });
    const { thread } = await customerStarts(world, 'hi');
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'hello from the team' });
    const told = await waitFor(() => posts(world).find((message) => message.content.includes('read-only')));
    assert.ok(told.content.startsWith(`<@${alice}>`));
    assert.deepEqual(told.mentions, [alice], 'only the author is pinged');
    assert.deepEqual(told.allowed_mentions, { parse: [], users: [alice] });
    assert.equal(sentToPhone(world).length, 0);
  });

  it('refuses members without an allowed role', async (t) => {
    const world = await startWorld(t, {
      discord: {
        allowRoles: [supportRole],
        sim: {
          roles: [{ id: supportRole, name: 'Support' }],
          members: [
            { id: alice, username: 'alice', globalName: 'Alice', roles: [supportRole] },
            { id: bob, username: 'bob', globalName: 'Bob' },
          ],
        },
      },
    });
    const { thread } = await customerStarts(world, 'hi');
    await world.discord!.postAsMember({ userId: bob, channelId: thread.id, content: 'from bob' });
    await waitFor(() => posts(world).some((message) => message.content.startsWith(`<@${bob}>`)));
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'from alice' });
    await waitFor(() => sentToPhone(world).length === 1);
    assert.equal((sentToPhone(world)[0]!.payload as { text: string }).text, 'from alice');
  });

  it('drops the bridge’s own webhook echo before it reaches the core, and never sends it', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread, posted } = await customerStarts(world, 'one');
    await waitFor(() => droppedEcho(world, posted.id));
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'after the echo' });
    await waitFor(() => sentToPhone(world).length === 1);
    assert.deepEqual(
      sentToPhone(world).map((item) => (item.payload as { text: string }).text),
      ['after the echo'],
    );
    assert.ok(!world.daemon.lines.some((entry) => entry.msg === 'Ignored own echo'), 'the core never saw the echo');
  });

  it('marks a failed send ⚠️ and posts the reason in the thread', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'hi');
    world.phone.failNextSends(1, 'recipient is not registered with iMessage');
    const reply = await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'are you there?' });
    await waitFor(() => hasReaction(messageIn(world, thread.id, reply.id), '⚠️'), { timeoutMs: 5000 });
    const note = await waitFor(() => posts(world).find((message) => message.content.startsWith('⚠️ Not delivered')));
    assert.match(note.content, /recipient is not registered with iMessage/);
  });

  it('answers an edit or a deletion of a sent message with a note that it cannot reach the phone', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'hi');
    const reply = await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'see you at 5' });
    await waitFor(() => sentToPhone(world).length === 1);
    await world.discord!.editAsMember({ channelId: thread.id, messageId: reply.id, content: 'see you at 6' });
    const told = await waitFor(() => posts(world).find((message) => /Edits cannot reach/.test(message.content)));
    assert.deepEqual(told.mentions, [alice]);
    await world.discord!.deleteAsMember({ channelId: thread.id, messageId: reply.id });
    await waitFor(() => posts(world).some((message) => /does not unsend/.test(message.content)));
    assert.equal(sentToPhone(world).length, 1, 'neither the edit nor the deletion is sent');
  });
});

describe('Discord bridge: reactions, files, typing', () => {
  it('reacts both ways: a tapback shows on the message, a member’s 👍 becomes a like, a custom emoji is explained', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread, posted, phoneMessage } = await customerStarts(world, 'thanks');
    await world.phone.simulateReaction({ from: customer, messageId: phoneMessage.id, type: 'love' });
    await waitFor(() => hasReaction(messageIn(world, thread.id, posted.id), '❤️'));
    await world.phone.simulateReaction({ from: customer, messageId: phoneMessage.id, type: 'love', added: false });
    await waitFor(() => !hasReaction(messageIn(world, thread.id, posted.id), '❤️'));

    await world.discord!.react({ userId: alice, channelId: thread.id, messageId: posted.id, emoji: { name: '👍🏽' } });
    const tapback = await waitFor(() => world.phone.state.outbox.find((item) => item.kind === 'reaction'));
    assert.deepEqual(
      { type: tapback.payload['type'], message: tapback.payload['message_id'] },
      { type: 'like', message: phoneMessage.id },
    );
    await world.discord!.react({
      userId: alice,
      channelId: thread.id,
      messageId: posted.id,
      emoji: { name: 'party', id: '777777777777777777' },
    });
    await waitFor(() => posts(world).some((message) => message.content.startsWith(`<@${alice}>`)));
    assert.equal(world.phone.state.outbox.filter((item) => item.kind === 'reaction').length, 1);
  });

  it('carries files both ways (uploads while Slack’s SDK is loaded); an oversize file becomes a note; a transcript shows', async (t) => {
    const world = await startWorld(t, { discord: { sim: { uploadLimitBytes: 64 * 1024 } } });
    const { thread } = await customerStarts(world, 'photos coming');
    await world.phone.simulateInbound({
      from: customer,
      text: '',
      attachments: [{ filename: 'receipt.png', mimeType: 'image/png', data: Buffer.from('small png bytes') }],
    });
    const upload = await waitFor(() => posts(world).find((message) => message.attachments.length > 0));
    assert.equal(upload.attachments[0]?.filename, 'receipt.png');
    assert.equal(upload.author.username, customer);

    await world.phone.simulateInbound({
      from: customer,
      attachments: [{ filename: 'huge.mov', mimeType: 'video/quicktime', data: Buffer.alloc(100 * 1024) }],
    });
    const note = await waitFor(() => posts(world).find((message) => message.content.includes('huge.mov')));
    assert.match(note.content, /could not be shown here: it is too large for Discord/);

    await world.phone.simulateInbound({
      from: customer,
      isAudioMessage: true,
      attachments: [
        { filename: 'memo.caf', mimeType: 'audio/x-caf', data: Buffer.from('audio'), transcription: 'call me back' },
      ],
    });
    await waitFor(() => posts(world).some((message) => message.content.includes('“call me back”')));

    await world.discord!.postAsMember({
      userId: alice,
      channelId: thread.id,
      content: 'Here is the invoice',
      files: [{ name: 'invoice.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 invoice') }],
    });
    const sent = await waitFor(() => sentToPhone(world)[0], { timeoutMs: 5000 });
    assert.equal((sent.payload as { text: string }).text, 'Here is the invoice');
    const file = world.phone.state.files.find((item) => item.filename === 'invoice.pdf');
    assert.ok(file, 'the file reached messages.dev');
  });
});

describe('Discord bridge: typing', () => {
  it('reports a member typing in a conversation thread at most once per 8 s, only with forwardTyping', async (t) => {
    for (const forwardTyping of [true, false]) {
      const typed: ThreadRef[] = [];
      const texts: string[] = [];
      const { sim, bridge } = await bridgeAlone(t, {}, { forwardTyping, onTyping: (thread) => typed.push(thread) });
      await bridge.start(async (ingress) => {
        if (ingress.event.kind === 'message') texts.push(ingress.event.text);
        return 'accepted';
      });
      const { thread } = await bridge.createThread(
        textChannel,
        { key: { line, chat: 'cht_1' }, participants: [customer] },
        { replay: false },
      );
      await sim.typing({ userId: alice, channelId: textChannel });
      await sim.typing({ userId: alice, channelId: thread.thread });
      await sim.typing({ userId: bob, channelId: thread.thread });
      // The gateway delivers in order: once this message is handed in, the typing events before it were seen.
      await sim.postAsMember({ userId: bob, channelId: thread.thread, content: 'done typing' });
      await waitFor(() => texts.includes('done typing'));
      assert.deepEqual(typed, forwardTyping ? [thread] : [], `forwardTyping: ${forwardTyping}`);
    }
  });
});

describe('Discord bridge: replays and attachments (bridge alone)', () => {
  it('recognises a post made before a crash when it is replayed, through the webhook and as the bot', async (t) => {
    for (const manageWebhooks of [true, false]) {
      const linked = new Set<string>();
      const { sim, bridge } = await bridgeAlone(
        t,
        { channels: [{ id: textChannel, name: 'support', type: 0, botPermissions: { manageWebhooks } }] },
        { isLinked: (id) => linked.has(id) },
      );
      await bridge.start(async () => 'accepted');
      const { thread } = await bridge.createThread(
        textChannel,
        { key: { line, chat: 'cht_1' }, participants: [customer] },
        { replay: false },
      );
      const post = (text: string, key: string, replay: boolean) =>
        bridge.post(thread, {
          voice: 'customer',
          author: { id: customer },
          text,
          attachments: [],
          openAttachment: () => Promise.reject(new Error('no attachments here')),
          idempotencyKey: key,
          replay,
        });
      const first = await post('ok', 'imessage:msg_1', false);
      const again = await post('ok', 'imessage:msg_1', true);
      assert.equal(again.id, first.id, `same message (webhooks: ${manageWebhooks})`);
      assert.equal(again.channel, thread.thread);
      assert.equal(sim.state.messages(thread.thread).filter((message) => message.content.endsWith('ok')).length, 1);
      // A second "ok" replayed after a crash is not mistaken for the first, which stands for another message.
      linked.add(first.id);
      const second = await post('ok', 'imessage:msg_2', true);
      assert.notEqual(second.id, first.id);
      assert.equal(sim.state.messages(thread.thread).filter((message) => message.content.endsWith('ok')).length, 2);
    }
  });

  it('opens only Discord CDN or API-origin attachment URLs, streamed under a size cap', async (t) => {
    const { sim, bridge } = await bridgeAlone(t, {});
    await bridge.start(async () => 'accepted');
    const uploaded = await sim.postAsMember({
      userId: alice,
      channelId: textChannel,
      content: 'file',
      files: [{ name: 'notes.txt', contentType: 'text/plain', data: Buffer.from('0123456789') }],
    });
    const file = uploaded.attachments[0]!;
    const attachment = { name: file.filename, mimeType: file.content_type, ref: file.url };
    const body = await bridge.openAttachment(attachment, 1024);
    const chunks: Buffer[] = [];
    for await (const chunk of body.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    assert.equal(Buffer.concat(chunks).toString(), '0123456789');
    await assert.rejects(bridge.openAttachment(attachment, 5), { code: 'too_large' });
    await assert.rejects(bridge.openAttachment({ ...attachment, ref: 'https://evil.example/x.png' }, 1024), {
      code: 'unsupported',
    });
  });
});

describe('Discord bridge: rate limits', () => {
  it('honours a 429 in one layer: the queue waits Retry-After, nothing is lost, reordered or sent while told to wait', async (t) => {
    // A tighter limit than the queue's own 5 per 5 s pacing, so Discord answers 429 and the queue has to wait.
    const world = await startWorld(t, {
      discord: { sim: { rateLimits: { messagesPerChannel: { count: 2, perMs: 1000 } } } },
    });
    await customerStarts(world, 'm0');
    for (let index = 1; index < 4; index++) await world.phone.simulateInbound({ from: customer, text: `m${index}` });
    await waitFor(() => posts(world).length === 4, { timeoutMs: 10_000 });
    assert.deepEqual(
      posts(world).map((message) => message.content),
      ['m0', 'm1', 'm2', 'm3'],
    );
    assert.ok(
      world.discord!.calls.some((call) => call.status === 429),
      'Discord did rate-limit',
    );
    assert.deepEqual(world.discord!.violations, [], 'no request while a Retry-After was pending');
    const waited = world.daemon.lines.filter(
      (entry) => entry.msg === 'Send waiting' && entry['reason'] === 'retry_after',
    );
    assert.ok(waited.length > 0, 'the send queue is the layer that waited');
    assert.ok(world.daemon.lines.every((entry) => entry.level !== 'error'));
  });

  it('delivers a burst of 100 texts into one thread complete and in order under 5 per 5 s (the one slow test)', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const texts = Array.from({ length: 100 }, (_, index) => `burst ${String(index).padStart(3, '0')}`);
    const first = await world.phone.simulateInbound({ from: customer, text: texts[0]! });
    for (const text of texts.slice(1)) await world.phone.simulateInbound({ from: customer, chat: first.chatId, text });
    await waitFor(() => posts(world).length === 100, { timeoutMs: 150_000, intervalMs: 250 });
    // Past the webhook's 30 per minute the bridge posts as the bot, with the name in the text.
    const shown = posts(world).map((message) => message.content.replace(`**${customer}:** `, ''));
    assert.deepEqual(shown, texts);
    assert.deepEqual(world.discord!.violations, []);
    assert.ok(posts(world).some((message) => message.origin === 'webhook'));
  });
});

describe('Discord bridge: connection', () => {
  it('resumes after a gateway drop without losing the message posted meanwhile; /readyz reports the state', async (t) => {
    const world = await startWorld(t, { discord: { sim: { heartbeatIntervalMs: 250 } } });
    const ready = await fetch(`${world.daemon.url}/readyz`);
    assert.deepEqual(((await ready.json()) as { platforms: unknown }).platforms, {
      imessage: 'connected',
      discord: 'connected',
    });
    const { thread } = await customerStarts(world, 'hi');
    const frames = world.discord!.gatewayFrames.length;
    world.discord!.dropConnection();
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'sent during the drop' });
    await world.discord!.waitForResume(5000, frames);
    await waitFor(() => sentToPhone(world).length === 1, { timeoutMs: 5000 });
    assert.equal((sentToPhone(world)[0]!.payload as { text: string }).text, 'sent during the drop');
    assert.ok(!world.discord!.gatewayFrames.slice(frames).some((frame) => frame.t === 'READY'), 'resumed');
    assert.ok(world.daemon.lines.some((entry) => entry.msg === 'Discord gateway reconnecting'));
    await waitFor(async () => (await fetch(`${world.daemon.url}/readyz`)).status === 200);
  });

  it('catches up after a restart on what members wrote while the daemon was down', async (t) => {
    const world = await startWorld(t, { discord: {} });
    const { thread } = await customerStarts(world, 'hi');
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'before' });
    await waitFor(() => sentToPhone(world).length === 1);
    await world.daemon.app.stop();
    await world.discord!.postAsMember({ userId: alice, channelId: thread.id, content: 'while down' });
    await world.restart();
    await waitFor(() => sentToPhone(world).length === 2, { timeoutMs: 5000 });
    assert.deepEqual(
      sentToPhone(world).map((item) => (item.payload as { text: string }).text),
      ['before', 'while down'],
    );
  });

  it('refuses to start without a permission it needs, naming it and the channel', async (t) => {
    const error = await startBridgeFails(t, {
      channels: [{ id: textChannel, name: 'support', type: 0, botPermissions: { createPublicThreads: false } }],
    });
    assert.equal(error.code, 'credentials_invalid');
    assert.match(error.message, /lacks Create Public Threads in #support \(112233445566778899\)/);
  });

  it('refuses to start when the MessageContent intent is not enabled, naming the fix', async (t) => {
    const error = await startBridgeFails(t, { messageContentIntentEnabled: false });
    assert.equal(error.code, 'credentials_invalid');
    assert.match(error.message, /MessageContent intent: enable Message Content Intent in the Developer Portal/);
  });

  it('refuses to start with a wrong token, and with a route channel that does not exist', async (t) => {
    const wrongToken = await startBridgeFails(t, {}, { token: 'not-the-token' });
    assert.equal(wrongToken.code, 'credentials_invalid');
    assert.match(wrongToken.message, /Discord rejected the bot token/);
    const missing = await startBridgeFails(t, {}, { channels: ['999999999999999999'] });
    assert.equal(missing.code, 'credentials_invalid');
    assert.match(missing.message, /channel 999999999999999999 .* was not found/);
  });
});
