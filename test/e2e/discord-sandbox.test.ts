// Loaded on purpose: @slack/socket-mode brings undici 7, which breaks discord.js's default (undici 6) uploads
// with "action is not a function" (spec §3 item 24). The bridge runs both SDKs in one process, so this test does too.
import '@slack/bolt';
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  AttachmentBuilder,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  Partials,
  PermissionFlagsBits,
  RateLimitError,
  ThreadAutoArchiveDuration,
  WebhookClient,
  type ClientEvents,
  type ForumChannel,
  type TextChannel,
  type ThreadChannel,
} from 'discord.js';
import {
  startDiscordSimulator,
  type DiscordSimulator,
  type DiscordSimulatorOptions,
} from '../../sandbox/discord/index.js';

const BOT = '111111111111111111';
const TEXT = '112233445566778899';
const FORUM = '112233445566778800';
const LOCKED = '112233445566778811';
const ALICE = '444444444444444441';
const BOB = '444444444444444442';

const BRIDGE_INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.MessageContent |
  GatewayIntentBits.GuildMessageReactions |
  GatewayIntentBits.GuildMessageTyping;

/** The REST options the bridge needs: our queue owns every wait, and global fetch avoids the undici clash. */
function restOptions(sim: DiscordSimulator): {
  api: string;
  rejectOnRateLimit: () => boolean;
  offset: number;
  makeRequest: typeof fetch;
} {
  return { api: sim.apiUrl, rejectOnRateLimit: () => true, offset: 0, makeRequest: fetch };
}

function createClient(sim: DiscordSimulator, intents = BRIDGE_INTENTS): Client {
  return new Client({
    intents,
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    rest: restOptions(sim),
    waitGuildTimeout: 200,
  });
}

/** The next `event` whose arguments pass `predicate`; subscribe before causing it. */
function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  predicate: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]): void => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`No ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

async function login(client: Client, token: string): Promise<void> {
  const ready = nextEvent(client, Events.ClientReady, () => true, 5000);
  ready.catch(() => undefined);
  await client.login(token);
  await ready;
}

/** A simulator plus a logged-in client, torn down in the right order (client first). */
async function startWorld(t: TestContext, options: DiscordSimulatorOptions = {}, intents = BRIDGE_INTENTS) {
  const sim = await startDiscordSimulator(options);
  const client = createClient(sim, intents);
  t.after(async () => {
    await client.destroy();
    await sim.close();
  });
  return { sim, client };
}

async function api(sim: DiscordSimulator, method: string, path: string, body?: unknown, token = sim.token) {
  const response = await fetch(`${sim.apiUrl}/v10${path}`, {
    method,
    headers: { Authorization: `Bot ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('real discord.js against sandbox/discord', () => {
  let sim: DiscordSimulator;
  let client: Client;
  const text = (): TextChannel => client.channels.cache.get(TEXT) as TextChannel;
  const newThread = (name: string): Promise<ThreadChannel> =>
    text().threads.create({
      name,
      type: ChannelType.PublicThread,
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    });

  before(async () => {
    sim = await startDiscordSimulator({
      heartbeatIntervalMs: 250,
      uploadLimitBytes: 64 * 1024,
      // A short window: discord.js leaves a timer running until the bucket resets, which holds the process open.
      rateLimits: { messagesPerChannel: { count: 5, perMs: 1500 } },
      channels: [
        { id: TEXT, name: 'support', type: 0 },
        { id: FORUM, name: 'customers', type: 15 },
        { id: LOCKED, name: 'locked', type: 0, botPermissions: { manageWebhooks: false, createPublicThreads: false } },
      ],
    });
    client = createClient(sim);
    await login(client, sim.token);
  });
  after(async () => {
    await client.destroy();
    await sim.close();
  });

  it('logs in: READY, then GUILD_CREATE caches the text and forum channels with the bot’s permissions', async () => {
    await sim.waitForIdentify();
    assert.equal(client.user?.id, BOT);
    assert.equal(client.channels.cache.get(TEXT)?.type, ChannelType.GuildText);
    assert.equal(client.channels.cache.get(FORUM)?.type, ChannelType.GuildForum);
    assert.equal(client.application?.flags.has('GatewayMessageContentLimited'), true);
    const locked = client.channels.cache.get(LOCKED) as TextChannel;
    const lockedPermissions = locked.permissionsFor(BOT);
    assert.equal(lockedPermissions?.has(PermissionFlagsBits.ManageWebhooks), false);
    assert.equal(lockedPermissions?.has(PermissionFlagsBits.CreatePublicThreads), false);
    assert.equal(lockedPermissions?.has(PermissionFlagsBits.SendMessages), true);
    assert.equal(text().permissionsFor(BOT)?.has(PermissionFlagsBits.ManageWebhooks), true);
    // The client heartbeats on the short interval and gets op 11 back.
    await sim.waitForFrame((frame) => frame.direction === 'in' && frame.op === 1);
    await sim.waitForFrame((frame) => frame.direction === 'out' && frame.op === 11);
  });

  it('creates a public thread and delivers a member’s post in it as messageCreate', async () => {
    const thread = await newThread('Alice Example');
    const simThread = sim.state.threads.get(thread.id);
    assert.equal(simThread?.parent_id, TEXT);
    assert.equal(simThread?.auto_archive_duration, 10080);
    assert.ok(sim.state.messages(TEXT).some((m) => m.type === 18 && m.content === 'Alice Example'));

    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'hello from alice');
    await sim.postAsMember({ userId: ALICE, channelId: thread.id, content: 'hello from alice' });
    const [message] = await received;
    assert.ok(message.channel.isThread());
    assert.equal(message.channel.parentId, TEXT);
    assert.equal(message.author.username, 'alice');
    assert.equal(message.member?.id, ALICE);
  });

  it('sends with allowed_mentions; a retry with the same enforced nonce returns the same message', async () => {
    const echo = nextEvent(client, Events.MessageCreate, (m) => m.nonce === 'tl-msg-1');
    const options = {
      content: '@everyone <@&333333333333333333> <@444444444444444441> hi',
      allowedMentions: { parse: [] },
      nonce: 'tl-msg-1',
      enforceNonce: true,
    };
    const first = await text().send(options);
    const second = await text().send(options);
    assert.equal(second.id, first.id);
    const stored = sim.state.messages(TEXT).filter((m) => m.nonce === 'tl-msg-1');
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]?.allowed_mentions, { parse: [] });
    assert.deepEqual(stored[0]?.mentions, []);
    assert.equal(stored[0]?.mention_everyone, false);
    const creates = sim.calls.filter((c) => c.template === '/channels/:channel/messages' && c.method === 'POST');
    assert.equal(creates.filter((c) => (c.body as { nonce?: string }).nonce === 'tl-msg-1').length, 2);
    // discord.js does not filter the bot's own messages: the bridge has to.
    const [own] = await echo;
    assert.equal(own.author.id, BOT);
  });

  it('creates a forum post together with its first message', async () => {
    const forum = client.channels.cache.get(FORUM) as ForumChannel;
    const post = await forum.threads.create({ name: 'Bob Example', message: { content: 'first message' } });
    assert.equal(post.parentId, FORUM);
    assert.equal(sim.state.threads.get(post.id)?.parent_id, FORUM);
    const [starter] = sim.state.messages(post.id);
    assert.equal(starter?.id, post.id);
    assert.equal(starter?.content, 'first message');
  });

  it('executes a channel webhook into a thread with the customer’s name; refuses without Manage Webhooks', async () => {
    const thread = await newThread('Carol Example');
    const webhook = await text().createWebhook({ name: 'Threadline' });
    assert.ok(webhook.token);
    const hook = new WebhookClient({ id: webhook.id, token: webhook.token }, { rest: restOptions(sim) });
    const echo = nextEvent(client, Events.MessageCreate, (m) => m.webhookId === webhook.id);
    const sent = await hook.send({
      content: 'from the phone @everyone',
      username: 'Carol (iMessage)',
      avatarURL: 'https://example.com/carol.png',
      threadId: thread.id,
      allowedMentions: { parse: [] },
    });
    hook.destroy();
    assert.equal(sent.webhook_id, webhook.id);
    assert.equal(sent.channel_id, thread.id);
    assert.equal(sent.author.username, 'Carol (iMessage)');
    const call = await sim.waitForCall({ method: 'POST', route: '/webhooks/:webhook/:token' });
    assert.equal(call.auth, undefined);
    assert.deepEqual(call.query, { wait: 'true', thread_id: thread.id });
    const stored = sim.state.messages(thread.id).at(-1);
    assert.equal(stored?.avatar_url, 'https://example.com/carol.png');
    assert.equal(stored?.mention_everyone, false);
    const [message] = await echo;
    assert.equal(message.author.username, 'Carol (iMessage)');

    const locked = client.channels.cache.get(LOCKED) as TextChannel;
    await assert.rejects(locked.createWebhook({ name: 'Threadline' }), (error: unknown) => {
      assert.ok(error instanceof DiscordAPIError);
      assert.equal(error.status, 403);
      assert.equal(error.code, 50013);
      return true;
    });
  });

  it('uploads a file as multipart (with undici 7 loaded) and serves it for download; too large → 413', async () => {
    const thread = await newThread('Dave Example');
    const bytes = Buffer.from('not really a png, but bytes all the same');
    const sent = await thread.send({
      content: 'photo',
      files: [new AttachmentBuilder(bytes, { name: 'photo 1.png' })],
    });
    const attachment = sent.attachments.first();
    assert.equal(attachment?.name, 'photo_1.png');
    assert.equal(attachment?.size, bytes.length);
    // discord.js sniffs the bytes for a type (these are not a real PNG); Discord derives it from the name.
    assert.equal(attachment?.contentType, 'image/png');
    const call = await sim.waitForCall({
      method: 'POST',
      predicate: (c) => c.route === `/channels/${thread.id}/messages`,
    });
    assert.deepEqual((call.body as { files: unknown[] }).files, [
      { name: 'photo 1.png', size: bytes.length, contentType: 'application/octet-stream' },
    ]);
    const download = await fetch(attachment?.url ?? '');
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);

    const big = new AttachmentBuilder(Buffer.alloc(64 * 1024 + 1), { name: 'big.bin' });
    await assert.rejects(thread.send({ files: [big] }), (error: unknown) => {
      assert.ok(error instanceof DiscordAPIError);
      assert.equal(error.status, 413);
      assert.equal(error.code, 40005);
      return true;
    });
  });

  it('delivers reactions, removals and typing; the bot’s own reaction lands in the model', async () => {
    const posted = await sim.postAsMember({ userId: BOB, channelId: TEXT, content: 'react to me' });
    const added = nextEvent(client, Events.MessageReactionAdd, (r) => r.message.id === posted.id);
    await sim.react({ userId: ALICE, channelId: TEXT, messageId: posted.id, emoji: { name: '👍' } });
    const [reaction, user] = await added;
    assert.equal(reaction.emoji.name, '👍');
    assert.equal(user.id, ALICE);

    const removed = nextEvent(client, Events.MessageReactionRemove, (r) => r.message.id === posted.id);
    await sim.react({ userId: ALICE, channelId: TEXT, messageId: posted.id, emoji: { name: '👍' }, removed: true });
    await removed;

    const typing = nextEvent(client, Events.TypingStart, (t) => t.user.id === BOB);
    await sim.typing({ userId: BOB, channelId: TEXT });
    await typing;

    const message = await text().messages.fetch(posted.id);
    await message.react('🔥');
    assert.deepEqual(sim.state.messages(TEXT).find((m) => m.id === posted.id)?.reactions, [
      { emoji: { id: null, name: '🔥' }, users: [BOT] },
    ]);
    await assert.rejects(
      message.react('thumbsup'),
      (error: unknown) => error instanceof DiscordAPIError && error.code === 10014,
    );
  });

  it('delivers members’ edits and deletions as messageUpdate and messageDelete', async () => {
    const posted = await sim.postAsMember({ userId: ALICE, channelId: TEXT, content: 'first draft' });
    const updated = nextEvent(client, Events.MessageUpdate, (_old, message) => message.id === posted.id);
    await sim.editAsMember({ channelId: TEXT, messageId: posted.id, content: 'second draft' });
    const [, message] = await updated;
    assert.equal(message.content, 'second draft');
    assert.ok(message.editedTimestamp);
    const deleted = nextEvent(client, Events.MessageDelete, (gone) => gone.id === posted.id);
    await sim.deleteAsMember({ channelId: TEXT, messageId: posted.id });
    await deleted;
    assert.equal(
      sim.state.messages(TEXT).some((m) => m.id === posted.id),
      false,
    );
  });

  it('unarchives an archived thread when the bot posts in it', async () => {
    const thread = await newThread('Erin Example');
    const archived = nextEvent(
      client,
      Events.ThreadUpdate,
      (_old, updated) => updated.id === thread.id && updated.archived === true,
    );
    sim.archiveThread(thread.id);
    await archived;
    await thread.send('back again');
    assert.equal(sim.state.threads.get(thread.id)?.archived, false);
  });

  it('a 429 becomes RateLimitError with retryAfter from the headers; the client then holds back by itself', async () => {
    const thread = await newThread('Rate Example');
    const webhook = await text().createWebhook({ name: 'Threadline rate' });
    const hook = new WebhookClient({ id: webhook.id, token: webhook.token ?? '' }, { rest: restOptions(sim) });
    // Webhook executions with thread_id fill the thread's message bucket behind discord.js's back.
    for (let i = 0; i < 5; i += 1) await hook.send({ content: `burst ${i}`, threadId: thread.id });
    hook.destroy();

    const error = await thread.send('one too many').then(
      () => assert.fail('expected a rate limit'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof RateLimitError);
    const limited = await sim.waitForCall({
      method: 'POST',
      predicate: (c) => c.route === `/channels/${thread.id}/messages`,
    });
    assert.equal(limited.status, 429);
    assert.equal(error.retryAfter, Number(limited.responseHeaders['Retry-After']) * 1000);
    assert.equal(error.global, false);
    assert.equal(error.route, '/channels/:id/messages');
    assert.deepEqual(Object.keys(limited.response as object).sort(), ['code', 'global', 'message', 'retry_after']);
    assert.equal(sim.violations.length, 0);

    const before = sim.calls.length;
    await assert.rejects(thread.send('still too many'), RateLimitError);
    assert.equal(sim.calls.length, before, 'discord.js refuses locally until the bucket resets');
  });

  it('resumes after a dropped gateway connection and replays what was dispatched meanwhile', async () => {
    const since = sim.gatewayFrames.length;
    const resumed = nextEvent(client, Events.ShardResume);
    const thread = await newThread('Gap Example');
    sim.dropConnection();
    const during = await sim.postAsMember({ userId: ALICE, channelId: thread.id, content: 'sent while disconnected' });
    const [message] = await nextEvent(client, Events.MessageCreate, (m) => m.id === during.id);
    assert.equal(message.content, 'sent while disconnected');
    await resumed;
    await sim.waitForResume(3000, since);
    const frames = sim.gatewayFrames.slice(since);
    assert.ok(frames.some((f) => f.direction === 'in' && f.op === 6));
    assert.ok(!frames.some((f) => f.t === 'READY'), 'resumed, not re-identified');
  });

  it('reconnects and resumes when asked to with op 7', async () => {
    const since = sim.gatewayFrames.length;
    sim.requestReconnect();
    await sim.waitForResume(3000, since);
    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'after op 7');
    await sim.postAsMember({ userId: BOB, channelId: TEXT, content: 'after op 7' });
    await received;
    assert.ok(!sim.gatewayFrames.slice(since).some((f) => f.t === 'READY'));
  });
});

describe('sandbox/discord on the wire', () => {
  it('answers Discord-shaped errors: 401, unknown channel, invalid form body, empty message, missing permissions', async (t) => {
    const { sim } = await startWorld(t, {
      channels: [
        { id: TEXT, name: 'support', type: 0 },
        { id: LOCKED, name: 'read-only', type: 0, botPermissions: { sendMessages: false } },
      ],
    });
    const unauthorized = await api(sim, 'GET', '/users/@me', undefined, 'wrong-token');
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(unauthorized.body, { message: '401: Unauthorized', code: 0 });
    assert.equal(unauthorized.headers.get('content-type'), 'application/json');
    const unknown = await api(sim, 'GET', '/channels/999999999999999999');
    assert.deepEqual([unknown.status, unknown.body?.['code']], [404, 10003]);
    const long = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'x'.repeat(2001) });
    assert.equal(long.status, 400);
    assert.equal(long.body?.['code'], 50035);
    assert.deepEqual(long.body?.['errors'], {
      content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
    });
    const empty = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: '  ' });
    assert.deepEqual([empty.status, empty.body?.['code']], [400, 50006]);
    const forbidden = await api(sim, 'POST', `/channels/${LOCKED}/messages`, { content: 'hi' });
    assert.deepEqual(forbidden.body, { message: 'Missing Permissions', code: 50013 });
    assert.equal(sim.state.messages(TEXT).length, 0);
  });

  it('limits messages per channel with Discord’s headers and records requests that ignore Retry-After', async (t) => {
    const { sim } = await startWorld(t, { rateLimits: { messagesPerChannel: { count: 2, perMs: 1500 } } });
    const first = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'one' });
    const second = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'two' });
    assert.equal(first.headers.get('x-ratelimit-remaining'), '1');
    assert.equal(second.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(second.headers.get('x-ratelimit-bucket'));
    const limited = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'three' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.equal(limited.headers.get('x-ratelimit-scope'), 'user');
    assert.ok(Number(limited.headers.get('x-ratelimit-reset-after')) <= 1.5);
    assert.equal(limited.body?.['global'], false);
    assert.equal(typeof limited.body?.['retry_after'], 'number');
    assert.equal(sim.violations.length, 0);
    const other = await api(sim, 'POST', `/channels/${FORUM}/messages`, { content: 'x' });
    assert.notEqual(other.status, 429, 'each channel has its own bucket');
    const ignored = await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'four' });
    assert.equal(ignored.status, 429);
    assert.equal(sim.violations.length, 1);
    assert.equal(sim.state.messages(TEXT).length, 2);
  });

  it('puts the X-RateLimit-* headers on every answer of a bucketed route: success, 4xx and 429', async (t) => {
    const { sim } = await startWorld(t, {
      rateLimits: { messagesPerChannel: { count: 3, perMs: 1500 } },
      channels: [
        { id: TEXT, name: 'support', type: 0 },
        { id: LOCKED, name: 'read-only', type: 0, botPermissions: { sendMessages: false } },
      ],
    });
    const answers = [
      await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'ok' }),
      await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: ' ' }),
      await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'x'.repeat(2001) }),
      await api(sim, 'POST', `/channels/${TEXT}/messages`, { content: 'limited' }),
      await api(sim, 'POST', `/channels/${LOCKED}/messages`, { content: 'forbidden' }),
    ];
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 400, 400, 429, 403],
    );
    for (const answer of answers) {
      for (const name of ['limit', 'remaining', 'reset', 'reset-after', 'bucket']) {
        assert.ok(answer.headers.get(`x-ratelimit-${name}`), `x-ratelimit-${name} on a ${answer.status}`);
      }
    }
    assert.deepEqual(
      answers.map((answer) => answer.headers.get('x-ratelimit-remaining')),
      ['2', '1', '0', '0', '2'],
    );
    const [first, , , limited] = answers;
    assert.equal(first?.headers.get('x-ratelimit-limit'), '3');
    assert.ok(Number(first?.headers.get('x-ratelimit-reset-after')) <= 1.5);
    assert.ok(Math.abs(Number(first?.headers.get('x-ratelimit-reset')) * 1000 - Date.now() - 1500) < 1000);
    assert.equal(limited?.headers.get('retry-after'), '2');
    assert.equal(limited?.headers.get('x-ratelimit-bucket'), first?.headers.get('x-ratelimit-bucket'));
  });

  it('lists active threads with last_message_id and pages a thread with after, before and limit', async (t) => {
    const { sim } = await startWorld(t);
    const created = await api(sim, 'POST', `/channels/${TEXT}/threads`, { name: 'Paging Example', type: 11 });
    const threadId = String(created.body?.['id']);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i += 1) {
      ids.push((await sim.postAsMember({ userId: ALICE, channelId: threadId, content: `m${i}` })).id);
    }
    const active = await api(sim, 'GET', `/guilds/${sim.state.guild.id}/threads/active`);
    const listed = (active.body?.['threads'] as Array<Record<string, unknown>>).find((item) => item['id'] === threadId);
    assert.equal(listed?.['last_message_id'], ids[4]);
    assert.equal(listed?.['parent_id'], TEXT);

    const contents = async (query: string): Promise<string[]> => {
      const page = await api(sim, 'GET', `/channels/${threadId}/messages${query}`);
      assert.equal(page.status, 200);
      return (page.body as unknown as Array<{ content: string }>).map((message) => message.content);
    };
    assert.deepEqual(await contents(''), ['m5', 'm4', 'm3', 'm2', 'm1']);
    assert.deepEqual(await contents(`?after=${ids[0]}&limit=2`), ['m3', 'm2']);
    assert.deepEqual(await contents(`?after=${ids[2]}`), ['m5', 'm4']);
    assert.deepEqual(await contents(`?before=${ids[4]}&limit=2`), ['m4', 'm3']);
    assert.deepEqual(await contents(`?after=${ids[4]}`), []);
    const tooMany = await api(sim, 'GET', `/channels/${threadId}/messages?limit=101`);
    assert.equal(tooMany.status, 400);
  });

  it('applies the global limit across routes with X-RateLimit-Global', async (t) => {
    const { sim } = await startWorld(t, { rateLimits: { globalPerSecond: 3 } });
    for (let i = 0; i < 3; i += 1) assert.equal((await api(sim, 'GET', '/users/@me')).status, 200);
    const limited = await api(sim, 'GET', `/channels/${TEXT}`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-ratelimit-global'), 'true');
    assert.equal(limited.body?.['global'], true);
  });
});

describe('sandbox/discord intents and credentials', () => {
  it('closes IDENTIFY with 4014 when MessageContent is not enabled, and blanks content for clients without it', async (t) => {
    const { sim, client } = await startWorld(t, { messageContentIntentEnabled: false });
    await assert.rejects(client.login(sim.token), /disallowed intents/i);

    const withoutContent = createClient(sim, BRIDGE_INTENTS & ~GatewayIntentBits.MessageContent);
    t.after(() => withoutContent.destroy());
    await login(withoutContent, sim.token);
    assert.equal(withoutContent.application?.flags.has('GatewayMessageContentLimited'), false);
    const received = nextEvent(withoutContent, Events.MessageCreate);
    await sim.postAsMember({ userId: ALICE, channelId: TEXT, content: 'secret' });
    const [message] = await received;
    assert.equal(message.content, '');
  });

  it('rejects a wrong token at login with TokenInvalid', async (t) => {
    const { client } = await startWorld(t);
    await assert.rejects(
      client.login('not-the-token'),
      (error: unknown) => (error as { code?: string }).code === 'TokenInvalid',
    );
  });
});
