import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { App, LogLevel, SocketModeReceiver, type Logger } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { WebSocket } from 'ws';
import {
  signSlackRequest,
  startSlackSimulator,
  type SlackSimulator,
  type SlackSimulatorOptions,
} from '../../sandbox/slack/index.js';
import { waitFor } from '../helpers/wait-for.js';

type Json = Record<string, unknown>;

const CHANNEL = 'C0123456789';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The bridge's settings: the SDK never waits on a limit by itself and never retries (spec §1.8). */
function clientOptions(sim: SlackSimulator): {
  slackApiUrl: string;
  retryConfig: { retries: number };
  rejectRateLimitedCalls: boolean;
} {
  return { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
}

/** What a listener saw: the event plus bolt's retry context. */
interface Seen {
  event: Json;
  eventId: string | undefined;
  retryNum: number | undefined;
  retryReason: string | undefined;
}

function record(
  seen: Seen[],
  event: unknown,
  body: unknown,
  context: { retryNum?: number; retryReason?: string },
): void {
  const eventId = (body as Json)['event_id'];
  seen.push({
    event: event as Json,
    eventId: typeof eventId === 'string' ? eventId : undefined,
    retryNum: context.retryNum,
    retryReason: context.retryReason,
  });
}

function errorFields(error: unknown): { code?: unknown; retryAfter?: unknown; data?: Json } {
  assert.ok(error instanceof Error, 'expected an Error');
  return error as Error & { code?: unknown; retryAfter?: unknown; data?: Json };
}

/** The envelope the simulator sent for the event of a given message ts. */
async function envelopeFor(sim: SlackSimulator, test: (event: Json) => boolean): Promise<string> {
  const delivery = await sim.waitForDelivery((d) => test(d.payload['event'] as Json));
  assert.ok(delivery.envelopeId);
  return delivery.envelopeId;
}

async function startSim(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  return startSlackSimulator(options);
}

describe('Slack simulator with the real bolt App in Socket Mode', () => {
  let sim: SlackSimulator;
  let app: App;
  const messages: Seen[] = [];
  const reactions: Seen[] = [];
  const commands: Json[] = [];

  before(async () => {
    // A generous limit: these tests post quickly into one channel (the limit has its own test below).
    sim = await startSim({ rateLimits: { postMessagePerChannel: { count: 100, perMs: 1000, burst: 100 } } });
    app = new App({
      token: sim.botToken,
      appToken: sim.appToken,
      socketMode: true,
      clientOptions: clientOptions(sim),
      botId: sim.bot.botId,
      botUserId: sim.bot.userId,
      logger: silentLogger,
    });
    app.message(async ({ message, body, context }) => record(messages, message, body, context));
    app.event('reaction_added', async ({ event, body, context }) => record(reactions, event, body, context));
    app.event('reaction_removed', async ({ event, body, context }) => record(reactions, event, body, context));
    app.command('/text', async ({ command, ack }) => {
      commands.push({ ...command });
      await ack({ text: `Sending to ${command.text.split(' ')[0] ?? ''}` });
    });
    await app.start();
  });
  // Stop the SDK before the simulator, or its reconnect loop keeps calling a dead server (spec §3 item 11).
  after(async () => {
    await app.stop();
    await sim.close();
  });

  /** Posts as a person and waits until bolt's listener has it: proves everything sent before was processed. */
  async function barrier(): Promise<void> {
    const { ts } = await sim.postAsUser({ user: BOB, channel: CHANNEL, text: 'barrier' });
    await waitFor(() => messages.some((seen) => seen.event['ts'] === ts), { message: 'barrier message' });
  }

  it('connects with the app token: apps.connections.open, then hello', async () => {
    const open = await sim.waitForCall('apps.connections.open');
    assert.equal(open.token, sim.appToken);
    assert.match(String(open.response['url']), /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    await sim.waitForConnection();
    assert.equal(sim.connections.length, 1);
    // botId + botUserId given: bolt never calls auth.test.
    assert.equal(sim.calls.filter((call) => call.method === 'auth.test').length, 0);
  });

  it('delivers a person’s thread reply to app.message and records bolt’s ack', async () => {
    const root = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Thread root' });
    assert.ok(root.ts);
    const reply = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'a &lt; b', threadTs: root.ts });
    assert.equal(reply.delivered, true);
    await sim.waitForAck((ack) => ack.envelopeId === reply.envelopeId);
    const seen = await waitFor(() => messages.find((item) => item.event['ts'] === reply.ts));
    assert.equal(seen.eventId, reply.eventId);
    assert.equal(seen.event['user'], ALICE);
    assert.equal(seen.event['text'], 'a &lt; b');
    assert.equal(seen.event['thread_ts'], root.ts);
    assert.equal(seen.event['parent_user_id'], sim.bot.userId);
    assert.equal(seen.event['channel'], CHANNEL);
    assert.equal(seen.event['channel_type'], 'channel');
    assert.equal(seen.event['subtype'], undefined);
    // The parent gained its thread fields; the reply is in the thread, not at the top level.
    const parent = sim.state.message(CHANNEL, root.ts);
    assert.equal(parent?.reply_count, 1);
    assert.equal(parent?.latest_reply, reply.ts);
    assert.deepEqual(parent?.reply_users, [ALICE]);
    assert.deepEqual(
      sim.state.replies(CHANNEL, root.ts).map((message) => message.ts),
      [reply.ts],
    );
    assert.ok(!sim.state.messages(CHANNEL).some((message) => message.ts === reply.ts));
  });

  it('stores the bot’s thread posts as Slack would and delivers their echoes, which ignoreSelf drops', async () => {
    const root = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Conversation with +1 555' });
    assert.ok(root.ts);
    const customized = await app.client.chat.postMessage({
      channel: CHANNEL,
      thread_ts: root.ts,
      text: 'Hello from the phone',
      username: 'Carol (iMessage)',
      icon_url: 'https://example.com/carol.png',
      metadata: { event_type: 'threadline_message', event_payload: { source_id: 'msg_1' } },
    });
    const plain = await app.client.chat.postMessage({ channel: CHANNEL, thread_ts: root.ts, text: 'Plain bot reply' });
    assert.ok(customized.ts && plain.ts);

    const replies = sim.state.replies(CHANNEL, root.ts);
    assert.deepEqual(
      replies.map((message) => message.ts),
      [customized.ts, plain.ts],
    );
    const [stored] = replies;
    assert.equal(stored?.subtype, 'bot_message');
    assert.equal(stored?.username, 'Carol (iMessage)');
    assert.deepEqual(stored?.icons, { image_48: 'https://example.com/carol.png' });
    assert.equal(stored?.bot_id, sim.bot.botId);
    assert.equal(stored?.user, undefined);
    assert.deepEqual(stored?.metadata, { event_type: 'threadline_message', event_payload: { source_id: 'msg_1' } });
    assert.equal(replies[1]?.user, sim.bot.userId);
    assert.equal(replies[1]?.subtype, undefined);
    assert.equal(replies[1]?.app_id, sim.bot.appId);

    // Both echoes reach bolt (acked) but its ignoreSelf middleware drops them before any listener.
    const customizedEnvelope = await envelopeFor(sim, (event) => event['ts'] === customized.ts);
    const plainEnvelope = await envelopeFor(sim, (event) => event['ts'] === plain.ts);
    await sim.waitForAck((ack) => ack.envelopeId === customizedEnvelope);
    await sim.waitForAck((ack) => ack.envelopeId === plainEnvelope);
    await barrier();
    assert.ok(!messages.some((seen) => seen.event['ts'] === customized.ts || seen.event['ts'] === plain.ts));

    // Metadata comes back from conversations.replies only with include_all_metadata.
    const withMetadata = await app.client.conversations.replies({
      channel: CHANNEL,
      ts: root.ts,
      include_all_metadata: true,
    });
    assert.deepEqual(withMetadata.messages?.[1]?.metadata, {
      event_type: 'threadline_message',
      event_payload: { source_id: 'msg_1' },
    });
    const withoutMetadata = await app.client.conversations.replies({ channel: CHANNEL, ts: root.ts });
    assert.deepEqual(withoutMetadata.messages?.[1]?.metadata, { event_type: 'threadline_message' });
    assert.equal(withoutMetadata.messages?.[0]?.ts, root.ts);
  });

  it('delivers the echoes of chat.update and chat.delete, which ignoreSelf lets through', async () => {
    const posted = await app.client.chat.postMessage({ channel: CHANNEL, text: 'to be edited' });
    assert.ok(posted.ts);
    await app.client.chat.update({ channel: CHANNEL, ts: posted.ts, text: 'edited' });
    const changed = await waitFor(() =>
      messages.find(
        (seen) => seen.event['subtype'] === 'message_changed' && (seen.event['message'] as Json)['ts'] === posted.ts,
      ),
    );
    const inner = changed.event['message'] as Json;
    assert.equal(inner['text'], 'edited');
    assert.equal(inner['user'], sim.bot.userId);
    assert.equal((changed.event['previous_message'] as Json)['text'], 'to be edited');
    assert.equal(sim.state.message(CHANNEL, posted.ts)?.text, 'edited');

    await app.client.chat.delete({ channel: CHANNEL, ts: posted.ts });
    const deleted = await waitFor(() =>
      messages.find((seen) => seen.event['subtype'] === 'message_deleted' && seen.event['deleted_ts'] === posted.ts),
    );
    assert.equal((deleted.event['previous_message'] as Json)['text'], 'edited');
    assert.equal(sim.state.message(CHANNEL, posted.ts), undefined);
  });

  it('uploads with files.uploadV2 into a thread; url_private needs the bot token', async () => {
    const root = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Files thread' });
    assert.ok(root.ts);
    const bytes = Buffer.from('%PDF-1.4 fake invoice');
    const result = (await app.client.files.uploadV2({
      channel_id: CHANNEL,
      thread_ts: root.ts,
      filename: 'invoice.pdf',
      file: bytes,
      initial_comment: 'Invoice attached',
    })) as unknown as { ok: boolean; files: Array<{ files: Array<{ id: string }> }> };
    assert.equal(result.ok, true);
    const fileId = result.files[0]?.files[0]?.id;
    assert.ok(fileId);
    const upload = sim.calls.find((call) => call.method === 'files.getUploadURLExternal');
    assert.equal(upload?.params['length'], String(bytes.length));

    const [shared] = sim.state.replies(CHANNEL, root.ts);
    assert.equal(shared?.subtype, 'file_share');
    assert.equal(shared?.text, 'Invoice attached');
    assert.equal(shared?.user, sim.bot.userId);
    const file = shared?.files?.[0];
    assert.equal(file?.id, fileId);
    assert.equal(file?.mimetype, 'application/pdf');
    assert.ok(file);

    const authorized = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${sim.botToken}` } });
    assert.equal(authorized.status, 200);
    assert.deepEqual(Buffer.from(await authorized.arrayBuffer()), bytes);
    const anonymous = await fetch(file.url_private, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    // Followed like fetch does by default, it lands on an HTML page with status 200: check the content type.
    const followed = await fetch(file.url_private);
    assert.equal(followed.status, 200);
    assert.match(followed.headers.get('content-type') ?? '', /^text\/html/);
    assert.deepEqual(
      sim.downloads.map((download) => [download.fileId, download.status]),
      [
        [fileId, 200],
        [fileId, 302],
        [fileId, 302],
      ],
    );
  });

  it('delivers a person’s file share with downloadable url_private', async () => {
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const shared = await sim.postAsUser({
      user: ALICE,
      channel: CHANNEL,
      text: 'see attached',
      files: [{ name: 'photo.png', mimeType: 'image/png', data: image }],
    });
    const seen = await waitFor(() => messages.find((item) => item.event['ts'] === shared.ts));
    assert.equal(seen.event['subtype'], 'file_share');
    const [file] = seen.event['files'] as Array<{ url_private: string; mimetype: string; size: number }>;
    assert.equal(file?.mimetype, 'image/png');
    assert.equal(file?.size, image.length);
    const response = await fetch(file?.url_private ?? '', { headers: { Authorization: `Bearer ${sim.botToken}` } });
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), image);
  });

  it('carries reactions both ways, with Slack’s errors and the bot’s own reaction event', async () => {
    const posted = await app.client.chat.postMessage({ channel: CHANNEL, text: 'react to me' });
    assert.ok(posted.ts);
    const added = await sim.react({ user: ALICE, channel: CHANNEL, ts: posted.ts, name: 'thumbsup' });
    const seen = await waitFor(() => reactions.find((item) => item.eventId === added.eventId));
    assert.equal(seen.event['type'], 'reaction_added');
    assert.equal(seen.event['reaction'], '+1', 'Slack names 👍 +1');
    assert.equal(seen.event['item_user'], sim.bot.userId);
    assert.deepEqual(seen.event['item'], { type: 'message', channel: CHANNEL, ts: posted.ts });

    await app.client.reactions.add({ channel: CHANNEL, timestamp: posted.ts, name: 'white_check_mark' });
    const again = await app.client.reactions
      .add({ channel: CHANNEL, timestamp: posted.ts, name: 'white_check_mark' })
      .then(() => undefined, errorFields);
    assert.equal(again?.code, ErrorCode.PlatformError);
    assert.equal(again?.data?.['error'], 'already_reacted');
    const got = await app.client.reactions.get({ channel: CHANNEL, timestamp: posted.ts });
    assert.deepEqual(
      got.message?.reactions?.map((reaction) => [reaction.name, reaction.users]),
      [
        ['+1', [ALICE]],
        ['white_check_mark', [sim.bot.userId]],
      ],
    );
    // The bot's own reaction_added was delivered (user = bot user) but ignoreSelf dropped it.
    const ownEnvelope = await envelopeFor(
      sim,
      (event) => event['type'] === 'reaction_added' && event['user'] === sim.bot.userId,
    );
    await sim.waitForAck((ack) => ack.envelopeId === ownEnvelope);

    await app.client.reactions.remove({ channel: CHANNEL, timestamp: posted.ts, name: 'white_check_mark' });
    const missing = await app.client.reactions
      .remove({ channel: CHANNEL, timestamp: posted.ts, name: 'white_check_mark' })
      .then(() => undefined, errorFields);
    assert.equal(missing?.data?.['error'], 'no_reaction');

    const removed = await sim.react({ user: ALICE, channel: CHANNEL, ts: posted.ts, name: '+1', removed: true });
    const seenRemoved = await waitFor(() => reactions.find((item) => item.eventId === removed.eventId));
    assert.equal(seenRemoved.event['type'], 'reaction_removed');
    await barrier();
    assert.ok(!reactions.some((item) => item.event['user'] === sim.bot.userId));
    assert.equal(sim.state.message(CHANNEL, posted.ts)?.reactions, undefined);
  });

  it('records chat.postEphemeral apart from the timeline and sends no event for it', async () => {
    const deliveriesBefore = sim.deliveries.length;
    const result = await app.client.chat.postEphemeral({
      channel: CHANNEL,
      user: ALICE,
      text: 'Only you can see this',
    });
    assert.ok(result.message_ts);
    await barrier();
    const ephemeral = sim.state.ephemerals.find((item) => item.messageTs === result.message_ts);
    assert.equal(ephemeral?.user, ALICE);
    assert.equal(ephemeral?.text, 'Only you can see this');
    assert.ok(!sim.state.messages(CHANNEL).some((message) => message.ts === result.message_ts));
    // The only delivery since is the barrier's.
    assert.equal(sim.deliveries.length - deliveriesBefore, 1);
  });

  it('delivers a slash command envelope and hands back bolt’s ack payload', async () => {
    const { envelopeId, ack } = await sim.slashCommand({
      user: ALICE,
      channel: CHANNEL,
      command: '/text',
      text: '+15550001111 hello',
    });
    assert.deepEqual(await ack, { text: 'Sending to +15550001111' });
    assert.ok(sim.acks.some((item) => item.envelopeId === envelopeId));
    assert.equal(commands.at(-1)?.['user_id'], ALICE);
    assert.match(String(commands.at(-1)?.['response_url']), /\/commands\//);
    assert.ok(sim.state.ephemerals.some((item) => item.source === 'command_ack' && item.user === ALICE));
  });

  it('answers Web API errors as HTTP 200 {ok:false}, for form and JSON bodies', async () => {
    const post = async (method: string, body: string, headers: Record<string, string>): Promise<[number, Json]> => {
      const response = await fetch(`${sim.apiUrl}${method}`, { method: 'POST', body, headers });
      return [response.status, (await response.json()) as Json];
    };
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    assert.deepEqual(await post('chat.nope', `token=${sim.botToken}`, form), [
      200,
      { ok: false, error: 'unknown_method' },
    ]);
    assert.deepEqual(await post('chat.postMessage', 'token=xoxb-wrong&channel=C0123456789&text=x', form), [
      200,
      { ok: false, error: 'invalid_auth' },
    ]);
    assert.deepEqual(await post('chat.postMessage', 'channel=C0123456789&text=x', form), [
      200,
      { ok: false, error: 'not_authed' },
    ]);
    const [status, json] = await post('chat.postMessage', JSON.stringify({ channel: CHANNEL, text: 'from JSON' }), {
      'Content-Type': 'application/json; charset=utf-8',
      Authorization: `Bearer ${sim.botToken}`,
    });
    assert.equal(status, 200);
    assert.equal(json['ok'], true);
    assert.equal(sim.state.message(CHANNEL, String(json['ts']))?.text, 'from JSON');
    assert.deepEqual(await post('chat.postMessage', `token=${sim.botToken}&channel=C0NOPE&text=x`, form), [
      200,
      { ok: false, error: 'channel_not_found' },
    ]);
    const auth = await app.client.auth.test();
    assert.equal(auth.user_id, sim.bot.userId);
    assert.equal(auth.bot_id, sim.bot.botId);
    const user = await app.client.users.info({ user: ALICE });
    assert.equal(user.user?.profile?.display_name, 'Alice');
    assert.match(user.user?.profile?.image_72 ?? '', /\/avatars\/U0ALICE\.svg$/);
    const info = await app.client.conversations.info({ channel: CHANNEL });
    assert.equal(info.channel?.is_member, true);
  });
});

describe('Slack simulator: Web API limits, scopes, membership and threads', () => {
  let sim: SlackSimulator;
  let client: WebClient;
  // The simulator's clock, frozen so that the rate limiter is deterministic.
  let clock = Date.parse('2024-05-01T12:00:00Z');

  before(async () => {
    sim = await startSim({
      now: () => clock,
      customizeAllowed: false,
      channels: [
        { id: CHANNEL, name: 'support' },
        { id: 'C0SALES', name: 'sales' },
        { id: 'C0OUTSIDE', name: 'outside', botIsMember: false },
        { id: 'G0SECRET', name: 'secret', isPrivate: true, botIsMember: false },
      ],
    });
    client = new WebClient(sim.botToken, { ...clientOptions(sim), logger: silentLogger });
  });
  after(() => sim.close());

  it('answers 429 with an integer Retry-After past 1 message per second per channel, and records violations', async () => {
    const root = await client.chat.postMessage({ channel: CHANNEL, text: '1' });
    await client.chat.postMessage({ channel: CHANNEL, text: '2' });
    assert.ok(root.ts);
    // The burst allowance (3) is spent; a reply in a thread shares its channel's budget.
    await client.chat.postMessage({ channel: CHANNEL, text: '3', thread_ts: root.ts });
    const limited = await client.chat
      .postMessage({ channel: CHANNEL, text: '4', thread_ts: root.ts })
      .then(() => undefined, errorFields);
    assert.equal(limited?.code, ErrorCode.RateLimitedError);
    assert.equal(limited?.retryAfter, 1);
    const answer = sim.calls.at(-1);
    assert.equal(answer?.status, 429);
    assert.deepEqual(answer?.response, { ok: false, error: 'ratelimited' });
    assert.equal(sim.violations.length, 0);

    // Not waiting as told is a violation, answered 429 again.
    clock += 500;
    const early = await client.chat.postMessage({ channel: CHANNEL, text: '5' }).then(() => undefined, errorFields);
    assert.equal(early?.retryAfter, 1);
    assert.deepEqual(
      sim.violations.map((call) => call.params['text']),
      ['5'],
    );
    // Another channel has its own budget.
    const other = await client.chat.postMessage({ channel: 'C0SALES', text: 'fine' });
    assert.equal(other.ok, true);
    // Waiting the whole Retry-After is enough.
    clock += 500;
    const onTime = await client.chat.postMessage({ channel: CHANNEL, text: '6' });
    assert.equal(onTime.ok, true);
    assert.equal(sim.violations.length, 1);
    assert.deepEqual(
      sim.state.messages(CHANNEL).map((message) => message.text),
      ['1', '2', '6'],
    );
    assert.equal(sim.state.replies(CHANNEL, root.ts).length, 1);
  });

  it('with burst 1, allows exactly 1 post per second per channel; files do not count', async (t) => {
    let now = Date.parse('2024-05-01T12:00:00Z');
    const strict = await startSim({
      now: () => now,
      rateLimits: { postMessagePerChannel: { count: 1, perMs: 1000, burst: 1 } },
    });
    t.after(() => strict.close());
    const strictClient = new WebClient(strict.botToken, { ...clientOptions(strict), logger: silentLogger });
    assert.equal((await strictClient.chat.postMessage({ channel: CHANNEL, text: 'a' })).ok, true);
    const second = await strictClient.chat
      .postMessage({ channel: CHANNEL, text: 'b' })
      .then(() => undefined, errorFields);
    assert.equal(second?.retryAfter, 1);
    // files.uploadV2 posts its message outside chat.postMessage's special per-channel limit, as in Slack.
    const upload = await strictClient.files.uploadV2({
      channel_id: CHANNEL,
      filename: 'f.txt',
      file: Buffer.from('x'),
    });
    assert.equal(upload.ok, true);
    now += 999;
    assert.equal((await strictClient.chat.postMessage({ channel: CHANNEL, text: 'c' })).ok, true, 'within tolerance');
    now += 500;
    const third = await strictClient.chat
      .postMessage({ channel: CHANNEL, text: 'd' })
      .then(() => undefined, errorFields);
    assert.equal(third?.retryAfter, 1);
    now += 1000;
    assert.equal((await strictClient.chat.postMessage({ channel: CHANNEL, text: 'e' })).ok, true);
    assert.equal(strict.violations.length, 0);
    assert.deepEqual(
      strict.calls.filter((call) => call.method === 'chat.postMessage').map((call) => call.status),
      [200, 429, 200, 429, 200],
    );
  });

  it('refuses username/icon without chat:write.customize, and non-member channels as Slack does', async () => {
    const customized = await client.chat
      .postMessage({ channel: 'C0SALES', text: 'x', username: 'Carol' })
      .then(() => undefined, errorFields);
    assert.equal(customized?.data?.['error'], 'missing_scope');
    assert.equal(customized?.data?.['needed'], 'chat:write.customize');
    const scopes = await fetch(`${sim.apiUrl}auth.test`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.botToken}` },
    });
    assert.ok(!(scopes.headers.get('x-oauth-scopes') ?? '').split(',').includes('chat:write.customize'));
    assert.ok((scopes.headers.get('x-oauth-scopes') ?? '').split(',').includes('chat:write'));

    const outside = await client.chat
      .postMessage({ channel: 'C0OUTSIDE', text: 'x' })
      .then(() => undefined, errorFields);
    assert.equal(outside?.data?.['error'], 'not_in_channel');
    const secret = await client.conversations.info({ channel: 'G0SECRET' }).then(() => undefined, errorFields);
    assert.equal(secret?.data?.['error'], 'channel_not_found');
    const info = await client.conversations.info({ channel: 'C0OUTSIDE' });
    assert.equal(info.channel?.is_member, false);
  });

  it('paginates conversations.replies with response_metadata.next_cursor', async () => {
    const missedBefore = sim.missed.length;
    const root = await sim.postAsUser({ user: ALICE, channel: 'C0SALES', text: 'root' });
    const replyTs: string[] = [];
    for (const text of ['a', 'b', 'c']) {
      replyTs.push((await sim.postAsUser({ user: BOB, channel: 'C0SALES', text, threadTs: root.ts })).ts);
    }
    const seen: string[] = [];
    for await (const page of client.paginate('conversations.replies', { channel: 'C0SALES', ts: root.ts, limit: 2 })) {
      for (const message of (page as unknown as { messages: Array<{ ts: string }> }).messages) seen.push(message.ts);
    }
    assert.deepEqual(seen, [root.ts, ...replyTs]);
    // Events produced with no app connected are not buffered: they are kept in `missed` for assertions.
    assert.deepEqual(
      sim.missed.slice(missedBefore).map((item) => item.reason),
      ['no_connection', 'no_connection', 'no_connection', 'no_connection'],
    );
  });

  it('lists thread parents with reply_count and latest_reply; replies take oldest/latest/inclusive and metadata', async () => {
    const root = await sim.postAsUser({ user: ALICE, channel: 'C0SALES', text: 'thread root' });
    const tagged = await client.chat.postMessage({
      channel: 'C0SALES',
      thread_ts: root.ts,
      text: 'tagged reply',
      metadata: { event_type: 'threadline_origin', event_payload: { origin: 'imessage:msg_1' } },
    });
    const replyTs: string[] = [tagged.ts ?? ''];
    for (const text of ['r2', 'r3', 'r4']) {
      replyTs.push((await sim.postAsUser({ user: BOB, channel: 'C0SALES', text, threadTs: root.ts })).ts);
    }
    const history = await client.conversations.history({ channel: 'C0SALES', limit: 50 });
    const parent = history.messages?.find((message) => message.ts === root.ts);
    assert.equal(parent?.reply_count, 4);
    assert.equal(parent?.latest_reply, replyTs[3]);
    assert.equal(parent?.thread_ts, root.ts);
    assert.ok(!history.messages?.some((message) => replyTs.includes(message.ts ?? '')), 'replies stay in the thread');

    const replyTexts = async (args: Record<string, unknown>): Promise<string[]> => {
      const answer = await client.conversations.replies({ channel: 'C0SALES', ts: root.ts, ...args });
      return (answer.messages ?? []).map((message) => message.text ?? '');
    };
    assert.deepEqual(await replyTexts({ oldest: replyTs[1] }), ['r3', 'r4']);
    assert.deepEqual(await replyTexts({ oldest: replyTs[1], inclusive: true }), ['r2', 'r3', 'r4']);
    assert.deepEqual(await replyTexts({ oldest: replyTs[0], latest: replyTs[3] }), ['r2', 'r3']);
    assert.deepEqual(await replyTexts({ oldest: replyTs[0], latest: replyTs[3], inclusive: true }), [
      'tagged reply',
      'r2',
      'r3',
      'r4',
    ]);
    const firstPage = await client.conversations.replies({ channel: 'C0SALES', ts: root.ts, limit: 3 });
    assert.equal(firstPage.has_more, true);
    const cursor = firstPage.response_metadata?.next_cursor ?? '';
    const secondPage = await client.conversations.replies({ channel: 'C0SALES', ts: root.ts, limit: 3, cursor });
    assert.deepEqual(
      (secondPage.messages ?? []).map((message) => message.text),
      ['r3', 'r4'],
    );

    const typeOnly = await client.conversations.replies({ channel: 'C0SALES', ts: root.ts });
    const full = await client.conversations.replies({ channel: 'C0SALES', ts: root.ts, include_all_metadata: true });
    const metadataOf = (answer: typeof full): unknown =>
      answer.messages?.find((message) => message.ts === tagged.ts)?.metadata;
    assert.deepEqual(metadataOf(typeOnly), { event_type: 'threadline_origin' });
    assert.deepEqual(metadataOf(full), {
      event_type: 'threadline_origin',
      event_payload: { origin: 'imessage:msg_1' },
    });
  });

  it('turns a deleted thread parent into a tombstone (message_changed), as Slack does', async () => {
    const root = await sim.postAsUser({ user: ALICE, channel: 'C0SALES', text: 'parent' });
    const reply = await sim.postAsUser({ user: BOB, channel: 'C0SALES', text: 'reply', threadTs: root.ts });
    // With no app connected, the events land in `missed`, where their payloads can be read.
    const parentGone = await sim.deleteAsUser({ channel: 'C0SALES', ts: root.ts });
    const changed = sim.missed.find((item) => item.eventId === parentGone.eventId)?.payload['event'] as Json;
    assert.equal(changed['subtype'], 'message_changed');
    assert.equal((changed['message'] as Json)['subtype'], 'tombstone');
    assert.equal(sim.state.message('C0SALES', root.ts)?.text, 'This message was deleted.');
    const replyGone = await sim.deleteAsUser({ channel: 'C0SALES', ts: reply.ts });
    const deleted = sim.missed.find((item) => item.eventId === replyGone.eventId)?.payload['event'] as Json;
    assert.equal(deleted['subtype'], 'message_deleted');
    assert.equal(deleted['deleted_ts'], reply.ts);
    // The last reply gone, the tombstone goes too.
    assert.equal(sim.state.message('C0SALES', root.ts), undefined);
  });
});

describe('Slack simulator: Socket Mode reconnects and re-sends', () => {
  it('reconnects after a disconnect frame and after a network loss, and misses events in the gap', async (t) => {
    const sim = await startSim();
    const receiver = new SocketModeReceiver({
      appToken: sim.appToken,
      clientPingTimeout: 150,
      logger: silentLogger,
      // A hand-built receiver does not inherit App's clientOptions (spec §0).
      installerOptions: { clientOptions: clientOptions(sim) },
    });
    const app = new App({
      token: sim.botToken,
      receiver,
      clientOptions: clientOptions(sim),
      botId: sim.bot.botId,
      botUserId: sim.bot.userId,
      logger: silentLogger,
    });
    const messages: Seen[] = [];
    app.message(async ({ message, body, context }) => record(messages, message, body, context));
    await app.start();
    t.after(async () => {
      await app.stop();
      await sim.close();
    });
    const opened = (): number => sim.calls.filter((call) => call.method === 'apps.connections.open').length;
    assert.equal(opened(), 1);

    sim.disconnect('refresh_requested');
    await sim.waitForConnection({ since: 1 });
    assert.equal(opened(), 2);
    assert.equal(sim.connections[0]?.endedBy, 'refresh_requested');
    const afterRefresh = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'after refresh' });
    await waitFor(() => messages.some((seen) => seen.event['ts'] === afterRefresh.ts));

    sim.dropConnections();
    const lost = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'while offline' });
    assert.equal(lost.delivered, false);
    assert.deepEqual(
      sim.missed.map((item) => [item.eventId, item.reason]),
      [[lost.eventId, 'no_connection']],
    );
    await sim.waitForConnection({ since: 2 });
    assert.equal(opened(), 3);
    const back = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'back online' });
    await waitFor(() => messages.some((seen) => seen.event['ts'] === back.ts));
    assert.ok(!messages.some((seen) => seen.event['ts'] === lost.ts));
  });

  it('re-sends an envelope bolt has not acked in time, with the same event_id and retry_attempt 1', async (t) => {
    const sim = await startSim({ ackTimeoutMs: 100 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // bolt acks Events API envelopes after authorize: holding authorize holds the ack.
    const app = new App({
      appToken: sim.appToken,
      socketMode: true,
      clientOptions: clientOptions(sim),
      logger: silentLogger,
      authorize: async () => {
        await gate;
        return { botToken: sim.botToken, botId: sim.bot.botId, botUserId: sim.bot.userId };
      },
    });
    const messages: Seen[] = [];
    app.message(async ({ message, body, context }) => record(messages, message, body, context));
    await app.start();
    t.after(async () => {
      await app.stop();
      await sim.close();
    });

    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'slow ack' });
    const resent = await sim.waitForDelivery((delivery) => delivery.retryAttempt === 1);
    assert.equal(resent.envelopeId, posted.envelopeId);
    assert.equal(resent.retryReason, 'timeout');
    release();
    await sim.waitForAck((ack) => ack.envelopeId === posted.envelopeId);
    const copies = await waitFor(() => {
      const found = messages.filter((seen) => seen.event['ts'] === posted.ts);
      return found.length === 2 && found;
    });
    assert.deepEqual(copies.map((seen) => [seen.eventId, seen.retryNum, seen.retryReason]).sort(), [
      [posted.eventId, 0, ''],
      [posted.eventId, 1, 'timeout'],
    ]);
    assert.equal(sim.missed.length, 0);
  });

  it('gives up after 3 re-sends to a client that never acks, and records the event as missed', async (t) => {
    const sim = await startSim({ ackTimeoutMs: 30 });
    const open = (await (
      await fetch(`${sim.apiUrl}apps.connections.open`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sim.appToken}` },
      })
    ).json()) as { url: string };
    const socket = new WebSocket(open.url);
    t.after(async () => {
      socket.terminate();
      await sim.close();
    });
    const frames: Json[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Json));
    await waitFor(() => frames.some((frame) => frame['type'] === 'hello'));
    // A ticket works once.
    const reuse = new WebSocket(open.url);
    await new Promise<void>((resolve) => reuse.once('error', () => resolve()));

    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'nobody acks' });
    const missed = await waitFor(() => sim.missed.find((item) => item.eventId === posted.eventId));
    assert.equal(missed.reason, 'not_acked');
    const envelopes = frames.filter((frame) => frame['type'] === 'events_api');
    assert.deepEqual(
      envelopes.map((frame) => [frame['envelope_id'], frame['retry_attempt'], frame['retry_reason']]),
      [
        [posted.envelopeId, 0, ''],
        [posted.envelopeId, 1, 'timeout'],
        [posted.envelopeId, 2, 'timeout'],
        [posted.envelopeId, 3, 'timeout'],
      ],
    );
    assert.equal((envelopes[0]?.['payload'] as Json)['event_id'], posted.eventId);
  });
});

describe('Slack simulator in HTTP Events API mode with the real bolt HTTPReceiver', () => {
  let sim: SlackSimulator;
  let app: App;
  let eventsUrl: string;
  const messages: Seen[] = [];

  before(async () => {
    sim = await startSim({ eventDelivery: 'http', httpRetryDelaysMs: [0, 0, 0] });
    app = new App({
      token: sim.botToken,
      signingSecret: sim.signingSecret,
      clientOptions: clientOptions(sim),
      botId: sim.bot.botId,
      botUserId: sim.bot.userId,
      logger: silentLogger,
    });
    app.message(async ({ message, body, context }) => record(messages, message, body, context));
    app.command('/text', async ({ command, ack }) => {
      await ack({ text: `queued: ${command.text}` });
    });
    const server = (await app.start(0)) as { address(): AddressInfo };
    eventsUrl = `http://127.0.0.1:${server.address().port}/slack/events`;
    sim.setHttpEventsUrl(eventsUrl);
  });
  after(async () => {
    await app.stop();
    await sim.close();
  });

  it('POSTs a signed JSON event that bolt verifies and answers 200', async () => {
    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'over HTTP' });
    const seen = await waitFor(() => messages.find((item) => item.event['ts'] === posted.ts));
    assert.equal(seen.eventId, posted.eventId);
    const delivery = sim.deliveries.find((item) => item.eventId === posted.eventId);
    assert.equal(delivery?.status, 200);
    assert.equal(delivery?.headers?.['content-type'], 'application/json');
    const timestamp = Number(delivery?.headers?.['x-slack-request-timestamp']);
    assert.equal(
      delivery?.headers?.['x-slack-signature'],
      signSlackRequest(sim.signingSecret, timestamp, delivery?.body ?? ''),
    );
  });

  it('POSTs a slash command as a form and resolves its ack with bolt’s response body', async () => {
    const { ack } = await sim.slashCommand({ user: BOB, channel: CHANNEL, command: '/text', text: '+15550002222 hi' });
    assert.deepEqual(await ack, { text: 'queued: +15550002222 hi' });
    const delivery = sim.deliveries.find((item) => item.kind === 'slash_commands');
    assert.equal(delivery?.headers?.['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(delivery?.status, 200);
  });

  it('replays an event with the same event_id and X-Slack-Retry-Num', async () => {
    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'replay me' });
    await sim.replayEvent(posted.eventId);
    const copies = await waitFor(() => {
      const found = messages.filter((seen) => seen.event['ts'] === posted.ts);
      return found.length === 2 && found;
    });
    assert.deepEqual(
      copies.map((seen) => [seen.eventId, seen.retryNum, seen.retryReason]),
      [
        [posted.eventId, undefined, undefined],
        [posted.eventId, 1, 'http_timeout'],
      ],
    );
  });

  it('retries 3 times when the app refuses the signature (401), then gives up', async (t) => {
    const wrong = await startSim({
      eventDelivery: 'http',
      signingSecret: 'not-the-secret',
      httpRetryDelaysMs: [0, 0, 0],
    });
    t.after(() => wrong.close());
    wrong.setHttpEventsUrl(eventsUrl);
    const posted = await wrong.postAsUser({ user: ALICE, channel: CHANNEL, text: 'forged' });
    const missed = await waitFor(() => wrong.missed.find((item) => item.eventId === posted.eventId));
    assert.equal(missed.reason, 'retries_exhausted');
    assert.deepEqual(
      wrong.deliveries.map((item) => [
        item.status,
        item.headers?.['x-slack-retry-num'],
        item.headers?.['x-slack-retry-reason'],
      ]),
      [
        [401, undefined, undefined],
        [401, '1', 'http_error'],
        [401, '2', 'http_error'],
        [401, '3', 'http_error'],
      ],
    );
    assert.ok(!messages.some((seen) => seen.event['ts'] === posted.ts));
  });
});
