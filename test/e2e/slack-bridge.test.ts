import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../helpers/wait-for.js';
import { threadPosts } from '../helpers/slack-thread.js';
import { customer, line, slackChannel, startWorld, type World } from '../helpers/world.js';

type Mode = 'socket' | 'http';

/** The thread of the (only) conversation: its root message, and its posts (the root's carried message first). */
function threadOf(world: World) {
  const roots = world.slack!.state.messages(slackChannel);
  return { roots, posts: roots[0] ? threadPosts(world.slack!, slackChannel, roots[0]) : [] };
}

async function customerTexts(world: World, text: string) {
  return world.phone.simulateInbound({ from: customer, text });
}

/** The outbound messages the line was asked to send (what the phone receives). */
function sentToPhone(world: World) {
  return world.phone.state.outbox.filter((item) => item.kind === 'message');
}

for (const mode of ['socket', 'http'] as const satisfies Mode[]) {
  describe(`Slack bridge (${mode} mode)`, () => {
    it('creates one root naming the contact, threads every message of the chat under it, also after a restart', async (t) => {
      const world = await startWorld(t, { slack: { mode } });
      await customerTexts(world, 'Hi, is my order ready?');
      await waitFor(() => threadOf(world).posts.length === 1);
      const root = threadOf(world).roots[0]!;
      assert.match(root.text, new RegExp(customer.replace('+', '\\+')));
      assert.match(root.text, new RegExp(line.replace('+', '\\+')));
      assert.equal(threadOf(world).posts[0]!.text, 'Hi, is my order ready?');
      assert.equal(threadOf(world).posts[0]!.username, customer, 'posted under the customer name');
      assert.equal(threadOf(world).posts[0]!.ts, root.ts, 'the first text rides in the root: one post');

      await world.restart();
      await customerTexts(world, 'Order 42');
      await waitFor(() => threadOf(world).posts.length === 2);
      assert.equal(threadOf(world).roots.length, 1, 'no second root after the restart');
      assert.equal(threadOf(world).posts[1]!.text, 'Order 42');
      // The root says when the customer last wrote (the first text's time is the root's own).
      await waitFor(() =>
        /Last message from the customer: \d{4}-\d\d-\d\d \d\d:\d\d UTC/.test(threadOf(world).roots[0]!.text),
      );
      assert.equal(threadOf(world).posts[0]!.text, 'Hi, is my order ready?', 'the status line leaves the text alone');
    });

    it('sends a team reply in the thread to the phone as plain text and marks it ✅ when messages.dev confirms', async (t) => {
      const world = await startWorld(t, { slack: { mode } });
      await customerTexts(world, 'hello');
      await waitFor(() => threadOf(world).posts.length === 1);
      const root = threadOf(world).roots[0]!;
      const { ts } = await world.slack!.postAsUser({
        user: 'U0ALICE',
        channel: slackChannel,
        threadTs: root.ts,
        text: '*Yes!* See <https://example.com/o/42|your order> &amp; call <@U0BOB>',
      });
      const sent = await waitFor(() => sentToPhone(world)[0]);
      assert.equal(
        (sent.payload as { text: string }).text,
        'Yes! See your order (https://example.com/o/42) & call @Bob',
      );
      await waitFor(() =>
        world.slack!.state.message(slackChannel, ts)?.reactions?.some((r) => r.name === 'white_check_mark'),
      );
    });

    it('reacts both ways: a tapback shows on the message, a team 👍 becomes a like', async (t) => {
      const world = await startWorld(t, { slack: { mode } });
      const { message } = await customerTexts(world, 'thanks');
      await waitFor(() => threadOf(world).posts.length === 1);
      const posted = threadOf(world).posts[0]!;
      await world.phone.simulateReaction({ from: customer, messageId: message.id, type: 'love' });
      await waitFor(() =>
        world.slack!.state.message(slackChannel, posted.ts)?.reactions?.some((r) => r.name === 'heart'),
      );
      await world.phone.simulateReaction({ from: customer, messageId: message.id, type: 'love', added: false });
      await waitFor(
        () => !world.slack!.state.message(slackChannel, posted.ts)?.reactions?.some((r) => r.name === 'heart'),
      );

      await world.slack!.react({
        user: 'U0ALICE',
        channel: slackChannel,
        ts: posted.ts,
        name: 'thumbsup::skin-tone-3',
      });
      const tapback = await waitFor(() => world.phone.state.outbox.find((item) => item.kind === 'reaction'));
      assert.deepEqual(
        {
          type: (tapback.payload as { type: string }).type,
          message: (tapback.payload as { message_id: string }).message_id,
        },
        { type: 'like', message: message.id },
      );
    });
  });
}

describe('Slack bridge', () => {
  it('creates one root when the first two messages of a new chat arrive at the same moment', async (t) => {
    const world = await startWorld(t, { slack: {} });
    // Record two deliveries of a brand-new chat without delivering them, then deliver both at once.
    await world.registerWebhook('http://127.0.0.1:9/unreachable');
    const first = await world.phone.simulateInbound({ from: customer, text: 'first' });
    await world.phone.simulateInbound({ from: customer, chat: first.chatId, text: 'second' });
    const bodies = world.phone.deliveries.map((delivery) => delivery.body);
    assert.equal(bodies.length, 2);
    const statuses = await Promise.all(bodies.map(async (body) => (await world.deliverSigned(body)).status));
    assert.deepEqual(statuses, [200, 200]);
    await waitFor(() => threadOf(world).posts.length === 2, { timeoutMs: 5000 });
    assert.equal(threadOf(world).roots.length, 1);
    assert.deepEqual(
      threadOf(world)
        .posts.map((reply) => reply.text)
        .sort(),
      ['first', 'second'],
    );
  });

  it('lets a customer text ping nobody', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, '<!channel> @here <@U123> <#C123> <https://evil.example|bank.com>');
    const reply = await waitFor(() => threadOf(world).posts[0]);
    assert.ok(!/<[!@#h]/.test(reply.text), `raw markup reached Slack: ${reply.text}`);
    assert.equal(
      reply.text,
      '&lt;!channel&gt; @here &lt;@U123&gt; &lt;#C123&gt; &lt;https://evil.example|bank.com&gt;',
    );
  });

  it('keeps internal notes in the thread (📝) and never texts them', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    const { ts } = await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: '// VIP, be nice',
    });
    await waitFor(() => world.slack!.state.message(slackChannel, ts)?.reactions?.some((r) => r.name === 'memo'));
    assert.equal(sentToPhone(world).length, 0);
  });

  it('never sends from a mirror route and tells the author why', async (t) => {
    const world = await startWorld(t, { slack: { routeMode: 'mirror' } });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'hello from the team',
    });
    const told = await waitFor(() => world.slack!.state.ephemerals.find((e) => e.user === 'U0ALICE'));
    assert.match(told.text, /read-only/);
    assert.equal(sentToPhone(world).length, 0);
  });

  it('does not send the bot’s own echoes to the phone', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'one');
    await customerTexts(world, 'two');
    await waitFor(() => threadOf(world).posts.length === 2);
    // The simulator delivers the echo of every bot post, like Slack; wait until both were acked.
    await waitFor(
      () =>
        world.slack!.deliveries.filter((d) => (d.payload['event'] as { bot_id?: string } | undefined)?.bot_id).length >=
        2,
    );
    await world.daemon.app.stop();
    assert.equal(sentToPhone(world).length, 0);
  });

  it('sends a reply with two files as two messages, the text with the first', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'send me the docs');
    await waitFor(() => threadOf(world).posts.length === 1);
    await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'Here you go',
      files: [
        { name: 'invoice.pdf', mimeType: 'application/pdf', data: Buffer.from('%PDF-1.4 invoice') },
        { name: 'photo.png', mimeType: 'image/png', data: Buffer.from('PNG bytes') },
      ],
    });
    await waitFor(() => sentToPhone(world).length === 2, { timeoutMs: 5000 });
    const payloads = sentToPhone(world).map((item) => item.payload as { text?: string; attachments?: string[] });
    assert.equal(payloads[0]!.text, 'Here you go');
    assert.equal(payloads[0]!.attachments?.length, 1);
    assert.equal(payloads[1]!.text, undefined);
    assert.equal(payloads[1]!.attachments?.length, 1);
    const files = [...world.phone.state.files.values()].map((file) => file.filename).sort();
    assert.deepEqual(files, ['invoice.pdf', 'photo.png']);
  });

  it('marks a failed send ⚠️ and posts the reason in the thread', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    world.phone.failNextSends(1, 'recipient is not registered with iMessage');
    const { ts } = await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'are you there?',
    });
    await waitFor(() => world.slack!.state.message(slackChannel, ts)?.reactions?.some((r) => r.name === 'warning'), {
      timeoutMs: 5000,
    });
    const note = await waitFor(() => threadOf(world).posts.find((reply) => reply.text.startsWith('⚠️')));
    assert.match(note.text, /recipient is not registered with iMessage/);
  });
});

describe('Slack bridge: details', () => {
  it('names the sender of each group-chat message', async (t) => {
    const world = await startWorld(t, { slack: {} });
    const group = await world.phone.simulateInbound({
      from: customer,
      text: 'hi all',
      groupParticipants: ['+15550001111'],
    });
    await world.phone.simulateInbound({ from: '+15550001111', chat: group.chatId, text: 'me too' });
    await waitFor(() => threadOf(world).posts.length === 2);
    assert.deepEqual(
      threadOf(world).posts.map((reply) => [reply.username, reply.text]),
      [
        [customer, 'hi all'],
        ['+15550001111', 'me too'],
      ],
    );
  });

  it('falls back to naming the customer in the text when the app cannot customise names', async (t) => {
    const world = await startWorld(t, { slack: { sim: { customizeAllowed: false } } });
    await customerTexts(world, 'hello');
    const reply = await waitFor(() => threadOf(world).posts[0]);
    assert.equal(reply.username, undefined);
    assert.equal(reply.text, `*${customer}:* hello`);
  });

  it('uploads a photo from the phone into the thread and shows a voice memo with its transcript', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await world.phone.simulateInbound({
      from: customer,
      text: 'look',
      attachments: [{ filename: 'dent.jpg', mimeType: 'image/jpeg', data: Buffer.from('JPEG bytes of a dent') }],
    });
    await waitFor(() => [...world.slack!.state.files.values()].some((file) => file.name === 'dent.jpg'), {
      timeoutMs: 5000,
    });
    const file = [...world.slack!.state.files.values()].find((entry) => entry.name === 'dent.jpg')!;
    assert.equal(file.data.toString(), 'JPEG bytes of a dent');
    assert.ok(
      threadOf(world).posts.some((reply) => reply.files?.some((shared) => shared.id === file.id)),
      'shared in the thread',
    );

    await world.phone.simulateInbound({
      from: customer,
      isAudioMessage: true,
      attachments: [
        {
          filename: 'memo.m4a',
          mimeType: 'audio/x-m4a',
          data: Buffer.from('AAC'),
          transcription: 'call me back please',
        },
      ],
    });
    await waitFor(() => threadOf(world).posts.some((reply) => /call me back please/.test(reply.text)), {
      timeoutMs: 5000,
    });
  });

  it('turns a file over the size limit into a clear note instead of dropping it', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await world.phone.simulateInbound({
      from: customer,
      attachments: [{ filename: 'huge.mov', mimeType: 'video/quicktime', data: Buffer.alloc(101 * 1024 * 1024) }],
    });
    const note = await waitFor(() => threadOf(world).posts.find((reply) => reply.text.includes('could not be shown')), {
      timeoutMs: 5000,
    });
    assert.match(note.text, /could not be shown here: huge\.mov is 101\.0 MiB, over the 100\.0 MiB limit/);
  });

  it('in explicit mode sends only >> messages and marks the rest as notes', async (t) => {
    const world = await startWorld(t, { slack: {}, replyMode: 'explicit' });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    const root = threadOf(world).roots[0]!;
    const chatter = await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: root.ts,
      text: 'who takes this?',
    });
    await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: root.ts,
      text: '>> On it, one moment',
    });
    const sent = await waitFor(() => sentToPhone(world)[0]);
    assert.equal((sent.payload as { text: string }).text, 'On it, one moment');
    await waitFor(() =>
      world.slack!.state.message(slackChannel, chatter.ts)?.reactions?.some((r) => r.name === 'memo'),
    );
    assert.equal(sentToPhone(world).length, 1);
  });

  it('refuses a user outside slack.allowUsers with an ephemeral explanation', async (t) => {
    const world = await startWorld(t, { slack: { allowUsers: ['U0BOB'] } });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'hello',
    });
    const told = await waitFor(() => world.slack!.state.ephemerals.find((e) => e.user === 'U0ALICE'));
    assert.match(told.text, /not on the list/);
    assert.equal(sentToPhone(world).length, 0);
  });

  it('tells the author that an edit of a sent message cannot reach the phone', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    const { ts } = await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'Teh order',
    });
    await waitFor(() => sentToPhone(world).length === 1);
    await world.slack!.editAsUser({ user: 'U0ALICE', channel: slackChannel, ts, text: 'The order' });
    const told = await waitFor(() => world.slack!.state.ephemerals.find((e) => /Edits cannot reach/.test(e.text)));
    assert.equal(told.user, 'U0ALICE');
    assert.equal(sentToPhone(world).length, 1);
  });

  it('reconnects after a disconnect frame and a network loss, and /readyz follows', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    const ready = async () =>
      (await (await fetch(`${world.daemon.url}/readyz`)).json()) as { platforms: { slack: string } };
    assert.equal((await ready()).platforms.slack, 'connected');
    world.slack!.disconnect('refresh_requested');
    await waitFor(() => world.slack!.connections.length === 2 && world.slack!.connections[1]!.closedAt === undefined, {
      timeoutMs: 5000,
    });
    world.slack!.dropConnections();
    await waitFor(() => world.slack!.connections.length === 3, { timeoutMs: 5000 });
    await waitFor(async () => (await ready()).platforms.slack === 'connected', { timeoutMs: 5000 });
    await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'still here',
    });
    await waitFor(() => sentToPhone(world).length === 1, { timeoutMs: 5000 });
  });

  it('processes a Slack event delivered twice (same event_id) once', async (t) => {
    const world = await startWorld(t, { slack: { mode: 'http' } });
    await customerTexts(world, 'hi');
    await waitFor(() => threadOf(world).posts.length === 1);
    const posted = await world.slack!.postAsUser({
      user: 'U0ALICE',
      channel: slackChannel,
      threadTs: threadOf(world).roots[0]!.ts,
      text: 'once',
    });
    await waitFor(() => sentToPhone(world).length === 1);
    await world.slack!.replayEvent(posted.eventId);
    await waitFor(() => world.slack!.deliveries.filter((d) => d.eventId === posted.eventId).length === 2);
    await world.daemon.app.stop();
    assert.equal(sentToPhone(world).length, 1);
  });
});

describe('Slack bridge: /text', () => {
  it('starts a conversation with a contact who texted the line before: creates the thread and sends', async (t) => {
    const world = await startWorld(t, { slack: {} });
    // The contact wrote to the line while Threadline was not listening: no thread exists yet.
    await world.unregisterWebhooks();
    await customerTexts(world, 'anyone there?');
    await world.registerWebhook();
    const command = await world.slack!.slashCommand({
      user: 'U0ALICE',
      channel: slackChannel,
      command: '/text',
      text: `${customer} Hi, this is Alice from support`,
    });
    assert.deepEqual(await command.ack, { response_type: 'ephemeral', text: `Texting ${customer}…` });
    const sent = await waitFor(() => sentToPhone(world)[0], { timeoutMs: 5000 });
    assert.equal((sent.payload as { text: string }).text, 'Hi, this is Alice from support');
    assert.equal(threadOf(world).roots.length, 1, 'the thread was created');
    const copy = await waitFor(() => threadOf(world).posts.find((reply) => reply.text.includes('Hi, this is Alice')));
    await waitFor(
      () => world.slack!.state.message(slackChannel, copy.ts)?.reactions?.some((r) => r.name === 'white_check_mark'),
      { timeoutMs: 5000 },
    );
  });

  it('explains the contact-first rule for a contact who never texted the line, and sends nothing', async (t) => {
    const world = await startWorld(t, { slack: {} });
    await world.slack!.slashCommand({
      user: 'U0ALICE',
      channel: slackChannel,
      command: '/text',
      text: '+15550009999 hello',
    });
    const told = await waitFor(() => world.slack!.state.ephemerals.find((e) => e.source === 'chat.postEphemeral'), {
      timeoutMs: 5000,
    });
    assert.match(
      told.text,
      /\+15550009999 has not texted \+15551234567 yet\. messages\.dev only delivers to contacts who wrote first/,
    );
    assert.equal(sentToPhone(world).length, 0);
    assert.equal(threadOf(world).roots.length, 0);
  });

  it('answers a malformed command with its usage', async (t) => {
    const world = await startWorld(t, { slack: {} });
    const command = await world.slack!.slashCommand({
      user: 'U0ALICE',
      channel: slackChannel,
      command: '/text',
      text: 'hello',
    });
    assert.match(((await command.ack) as { text: string }).text, /^Usage: \/text \+15551234567/);
  });
});
