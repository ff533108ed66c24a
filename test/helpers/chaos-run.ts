import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { startDiscordSimulator, type DiscordSimulator } from '../../sandbox/discord/index.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { startSlackSimulator, type SlackSimulator } from '../../sandbox/slack/index.js';
import { earliestFinish, sumTallies, tallyStream, type Pace, type StreamReport } from './chaos-tally.js';
import { runThreadline, startedUrl, type DaemonProcess } from './daemon-process.js';
import { threadPosts } from './slack-thread.js';
import { waitFor } from './wait-for.js';
import { seededRandom } from '../../sandbox/shared/seeded-random.js';
import { dropSchema, freshSchema, pgTestUrl } from './pg-server.js';
import { startRoundRobinProxy } from './round-robin-proxy.js';

const line = '+15551234567';
const slackChannel = 'C0123456789';
const discordChannel = '112233445566778899';
const secret = 'whsec_chaos';

/** The platforms' documented limits, as the simulators enforce them in a chaos run. */
const paces = {
  slack: { count: 1, perMs: 1000 },
  discord: { count: 5, perMs: 5000 },
  phone: { count: 1, perMs: 1000 },
} as const satisfies Record<string, Pace>;

export interface ChaosOptions {
  readonly chats: number;
  readonly textsPerChat: number;
  /** Replies written in each chat's Slack thread. */
  readonly repliesPerChat: number;
  /** Seconds over which the texts (and the replies) are spread. */
  readonly trafficSeconds: number;
  readonly kills: number;
  /**
   * `random`: a kill at a random moment; `after-ack`: the instant the daemon acknowledges a Slack envelope;
   * `sender`: with several replicas, the one that sends, at a random moment; `rolling`: no kill, but each
   * replica in turn stopped with SIGTERM and started again once the one before is ready (`kills` is ignored).
   */
  readonly killWhen: 'random' | 'after-ack' | 'sender' | 'rolling';
  readonly seed: number;
  /**
   * Replicas on one PostgreSQL store (default 1, on the embedded store). With more, webhooks reach them through a
   * round-robin proxy (every fifth to two at once) and each holds a Slack Socket Mode connection.
   */
  readonly replicas?: number;
}

/** What a chaos run measured: the JSON line it prints. */
export interface ChaosFigures {
  readonly scenario: string;
  readonly seed: number;
  readonly kills: number;
  /** Kills made the instant a reply's Slack envelope was acknowledged. */
  readonly killsAfterAck: number;
  readonly texts: number;
  readonly replies: number;
  readonly lost: Record<'slack' | 'discord' | 'phone', number>;
  readonly duplicated: Record<'slack' | 'discord' | 'phone', number>;
  readonly outOfOrder: Record<'slack' | 'discord' | 'phone', number>;
  /** Seconds from the last restart until everything was everywhere. */
  readonly drainSeconds: number;
  /** The least time the platforms' limits allow for what was left at the last restart. */
  readonly boundSeconds: number;
  readonly ratio: number;
  /** Which destination set the bound. */
  readonly boundBy: string;
  readonly retryAfterViolations: number;
  readonly rateLimited: Record<'slack' | 'discord' | 'phone', number>;
  /** With several replicas: seconds from each sender kill until a platform saw the next call that changes something. */
  readonly resumeSeconds?: number[];
  /** With several replicas: webhooks forwarded to two replicas at once. */
  readonly webhooksToBoth?: number;
  /** With several replicas: webhooks the load balancer had to answer with other than 2xx (no replica took them). */
  readonly webhooksRefused?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const chatName = (chat: number) => `c${String(chat).padStart(2, '0')}`;
const textToken = (chat: number, n: number) => `${chatName(chat)}-t${String(n).padStart(2, '0')}`;
const replyToken = (chat: number, n: number) => `${chatName(chat)}-r${String(n).padStart(2, '0')}`;
const tokenPattern = /\bc\d\d-[tr]\d\d\b/g;
const tokensIn = (text: string) => text.match(tokenPattern) ?? [];

/** What each destination holds now, as token streams per chat, in the order the platform shows them. */
interface Snapshot {
  readonly slack: Map<string, string[]>;
  readonly discord: Map<string, string[]>;
  readonly phone: Map<string, string[]>;
  /** Chats whose tokens were found in more than one thread (posted into the wrong thread). */
  readonly misplaced: string[];
}

function push(map: Map<string, string[]>, key: string, token: string) {
  const list = map.get(key);
  if (list) list.push(token);
  else map.set(key, [token]);
}

function snapshot(slack: SlackSimulator, discord: DiscordSimulator, phone: MessagesDevSimulator): Snapshot {
  const misplaced: string[] = [];
  const slackStreams = new Map<string, string[]>();
  for (const root of slack.state.messages(slackChannel)) {
    const chats = new Set<string>();
    for (const post of threadPosts(slack, slackChannel, root)) {
      if (post.bot_id === undefined) continue;
      for (const token of tokensIn(post.text)) {
        chats.add(token.slice(0, 3));
        push(slackStreams, token.slice(0, 3), token);
      }
    }
    if (chats.size > 1) misplaced.push(`slack thread ${root.ts}: ${[...chats].join(',')}`);
  }
  const discordStreams = new Map<string, string[]>();
  for (const thread of discord.state.threads.values()) {
    if (thread.parent_id !== discordChannel) continue;
    const chats = new Set<string>();
    for (const message of discord.state.messages(thread.id)) {
      if (message.origin !== 'bot' && message.origin !== 'webhook') continue;
      for (const token of tokensIn(message.content)) {
        chats.add(token.slice(0, 3));
        push(discordStreams, token.slice(0, 3), token);
      }
    }
    if (chats.size > 1) misplaced.push(`discord thread ${thread.id}: ${[...chats].join(',')}`);
  }
  const phoneStreams = new Map<string, string[]>();
  const chatOf = new Map<string, string>();
  for (const item of phone.state.outbox) {
    if (item.kind !== 'message') continue;
    const text = (item.payload as { text?: unknown }).text;
    for (const token of tokensIn(typeof text === 'string' ? text : '')) {
      const chat = token.slice(0, 3);
      const earlier = chatOf.get(chat);
      if (earlier !== undefined && earlier !== item.chat_id) misplaced.push(`phone: ${chat} sent to two chats`);
      chatOf.set(chat, item.chat_id);
      push(phoneStreams, chat, token);
    }
  }
  return { slack: slackStreams, discord: discordStreams, phone: phoneStreams, misplaced };
}

/**
 * A chaos run: the daemon runs as a child process on a lowdb store against the three simulators (Slack
 * at 1 post/s per channel with no burst, Discord at 5 per 5 s per channel, messages.dev at 1 send/s per
 * line); customer texts arrive as webhooks redelivered until 2xx, replies are written in the Slack
 * threads and their Socket Mode envelopes re-sent until acked. The daemon is SIGKILLed `kills` times
 * while the traffic flows and restarted at once each time; then everything must arrive everywhere exactly
 * once, in order, and the drain after the last restart is compared with the platforms' limits.
 */
export async function runChaos(t: TestContext, scenario: string, options: ChaosOptions): Promise<ChaosFigures> {
  const random = seededRandom(options.seed);
  const phone = await startMessagesDevSimulator({
    webhookSecret: secret,
    lines: [{ handle: line }],
    webhookRetries: 1_000_000,
    webhookRetryDelaysMs: [250],
    sendsPerLine: paces.phone,
  });
  const slack = await startSlackSimulator({
    socketMaxResends: Infinity,
    ackTimeoutMs: 2000,
    rateLimits: { postMessagePerChannel: { ...paces.slack, burst: 1 } },
  });
  const discord = await startDiscordSimulator();
  const dir = await mkdtemp(join(tmpdir(), 'threadline-chaos-'));
  const daemons: DaemonProcess[] = [];
  t.after(async () => {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    await Promise.all(daemons.map((daemon) => daemon.exited));
    await slack.close();
    await discord.close();
    await phone.close();
    await rm(dir, { recursive: true, force: true });
  });
  const replicas = options.replicas ?? 1;
  const schema = replicas > 1 ? freshSchema('chaos') : undefined;
  if (schema) t.after(() => dropSchema(schema));
  const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()));
  const configFor = (port: number) =>
    [
      `imessage: { apiUrl: "${phone.apiUrl}", apiKey: ${phone.apiKey}, webhookSecret: ${secret} }`,
      `slack: { botToken: ${slack.botToken}, appToken: ${slack.appToken}, apiUrl: "${slack.apiUrl}" }`,
      `discord: { token: ${discord.token}, apiUrl: "${discord.apiUrl}" }`,
      `server: { host: 127.0.0.1, port: ${port} }`,
      schema ? `store: { url: "${pgTestUrl}", schema: ${schema} }` : `store: { path: ${join(dir, 'threadline.json')} }`,
      `log: { level: ${process.env['CHAOS_LOG_LEVEL'] ?? 'info'} }`,
      'routes:',
      `  - line: "${line}"`,
      `    slack: { channel: ${slackChannel}, mode: two-way }`,
      `    discord: { channel: "${discordChannel}", mode: two-way }`,
    ].join('\n');
  const start = async (port = ports[0]!) => {
    const daemon = await runThreadline({ args: ['start'], config: configFor(port) });
    daemons.push(daemon);
    await startedUrl(daemon, 60_000);
    return daemon;
  };
  // One process per port; with several, the first to start sends.
  const live: DaemonProcess[] = [];
  for (const port of ports) live.push(await start(port));
  let current = live[0]!;
  const proxy = replicas > 1 ? await startRoundRobinProxy({ targets: () => ports, bothEvery: 5 }) : undefined;
  if (proxy) t.after(() => proxy.close());
  const registered = await fetch(`${phone.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      from: line,
      url: `${proxy?.url ?? `http://127.0.0.1:${ports[0]!}`}/webhooks/imessage`,
      events: ['message.received', 'message.sent'],
    }),
  });
  assert.equal(registered.status, 201);

  // Traffic: every chat's texts spread over the window in a random interleaving; each reply written once
  // its chat's thread exists in Slack, spread over the same window.
  const customers = Array.from({ length: options.chats }, (_, i) => `+1555400${String(i).padStart(4, '0')}`);
  const sentAt = new Map<string, number>();
  const textSchedule: Array<{ chat: number; n: number; at: number }> = [];
  for (let chat = 0; chat < options.chats; chat++) {
    const times = Array.from({ length: options.textsPerChat }, () => random() * options.trafficSeconds * 1000).sort(
      (a, b) => a - b,
    );
    times.forEach((at, n) => textSchedule.push({ chat, n, at }));
  }
  textSchedule.sort((a, b) => a.at - b.at);
  // Kills right after an ack need replies to ack all through the kill phase: they are spread wider.
  const replySeconds = options.killWhen === 'after-ack' ? options.trafficSeconds * 1.5 : options.trafficSeconds;
  const replySchedule: Array<{ chat: number; n: number; at: number }> = [];
  for (let chat = 0; chat < options.chats; chat++) {
    const times = Array.from(
      { length: options.repliesPerChat },
      () => (0.2 + random() * 0.8) * replySeconds * 1000,
    ).sort((a, b) => a - b);
    times.forEach((at, n) => replySchedule.push({ chat, n, at }));
  }
  replySchedule.sort((a, b) => a.at - b.at);

  const began = Date.now();
  const replyEvents = new Set<string>();
  const replyEventOf = new Map<string, string>();
  const inbound: Promise<unknown>[] = [];
  const texting = (async () => {
    for (const { chat, n, at } of textSchedule) {
      const wait = began + at - Date.now();
      if (wait > 0) await delay(wait);
      const token = textToken(chat, n);
      sentAt.set(token, Date.now());
      // Not awaited: with the daemon down, messages.dev keeps redelivering until it answers 2xx.
      inbound.push(phone.simulateInbound({ from: customers[chat]!, text: `chat ${chatName(chat)} text ${token}` }));
    }
  })();
  const rootOf = (chat: number) =>
    slack.state
      .messages(slackChannel)
      .find((root) => threadPosts(slack, slackChannel, root).some((post) => post.text.includes(`${chatName(chat)}-t`)));
  // Each chat's replies in their own order; a chat whose thread is not in Slack yet holds up only its own.
  const replying = Promise.all(
    Array.from({ length: options.chats }, async (_, chat) => {
      let lastReplyAt = 0;
      for (const { n, at } of replySchedule.filter((reply) => reply.chat === chat)) {
        // A person writes one reply after another, not three in a millisecond (replies held for their thread
        // would otherwise go out at once, and to different replicas nothing orders them).
        const wait = Math.max(began + at, lastReplyAt + 300) - Date.now();
        if (wait > 0) await delay(wait);
        const root = await waitFor(() => rootOf(chat), {
          timeoutMs: 600_000,
          intervalMs: 50,
          message: `${chatName(chat)}'s Slack thread`,
        });
        const token = replyToken(chat, n);
        lastReplyAt = Date.now();
        sentAt.set(token, lastReplyAt);
        const posted = await slack.postAsUser({
          user: 'U0ALICE',
          channel: slackChannel,
          threadTs: root.ts,
          text: `reply ${token}`,
        });
        replyEvents.add(posted.eventId);
        replyEventOf.set(token, posted.eventId);
      }
    }),
  );

  // Kills: each a little after the daemon is up again, either at a random moment or the instant it acks a
  // Slack envelope (what bolt would have acknowledged before Threadline could journal it).
  let lastRestartAt = began;
  let atLastRestart: Snapshot | undefined;
  let killsAfterAck = 0;
  const resumeSeconds: number[] = [];
  const rounds = options.killWhen === 'rolling' ? replicas : options.kills;
  for (let kill = 0; kill < rounds; kill++) {
    await delay(options.killWhen === 'after-ack' ? 300 + random() * 1000 : 1000 + random() * 5000);
    if (options.killWhen === 'rolling') {
      // A deploy: this replica stops cleanly, comes back, and is ready before the next one goes.
      const stopping = live[kill]!;
      stopping.child.kill('SIGTERM');
      assert.equal(await stopping.exited, 0, 'a clean stop');
      atLastRestart = snapshot(slack, discord, phone);
      lastRestartAt = Date.now();
      live[kill] = await start(ports[kill]);
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${ports[kill]!}/readyz`).catch(() => undefined))?.status === 200,
        { timeoutMs: 60_000, intervalMs: 100, message: `replica ${kill} ready again` },
      );
      continue;
    }
    if (options.killWhen === 'sender') {
      // The replica that sends dies; another takes over; the dead one comes back (as a standby).
      const slot = await senderSlot(ports).catch(async (error: unknown) => {
        await keepLogs(scenario, daemons, {});
        throw error;
      });
      const victim = live[slot]!;
      const before = platformCalls(slack, discord, phone);
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      assert.equal(await victim.exited, null, 'killed, not exited');
      atLastRestart = snapshot(slack, discord, phone);
      lastRestartAt = killedAt;
      live[slot] = await start(ports[slot]);
      const resumedAt = await waitFor(() => (platformCalls(slack, discord, phone) > before ? Date.now() : undefined), {
        timeoutMs: 60_000,
        intervalMs: 20,
        message: 'sending resumed after the sender was killed',
      });
      resumeSeconds.push(round((resumedAt - killedAt) / 1000));
      continue;
    }
    if (options.killWhen === 'after-ack') {
      // The instant a reply's envelope is acknowledged; past the replies, a random moment (counted).
      const acked = await new Promise<boolean>((resolve) => {
        const stop = (afterAck: boolean) => {
          current.child.kill('SIGKILL');
          slack.off('ack', onAck);
          clearTimeout(timer);
          resolve(afterAck);
        };
        const onAck = (ack: { eventId: string | undefined }) => {
          if (ack.eventId !== undefined && replyEvents.has(ack.eventId)) stop(true);
        };
        const timer = setTimeout(() => stop(false), 60_000);
        slack.on('ack', onAck);
      });
      if (acked) killsAfterAck++;
    } else {
      current.child.kill('SIGKILL');
    }
    assert.equal(await current.exited, null, 'killed, not exited');
    atLastRestart = snapshot(slack, discord, phone);
    lastRestartAt = Date.now();
    current = await start();
  }
  await texting;
  await replying;

  // Everything everywhere: each chat's texts in Slack and Discord, its replies in Discord and at the phone.
  const expected = {
    slack: new Map<string, string[]>(),
    discord: new Map<string, string[]>(),
    phone: new Map<string, string[]>(),
  };
  for (let chat = 0; chat < options.chats; chat++) {
    const texts = Array.from({ length: options.textsPerChat }, (_, n) => textToken(chat, n));
    const replies = Array.from({ length: options.repliesPerChat }, (_, n) => replyToken(chat, n));
    expected.slack.set(chatName(chat), texts);
    expected.discord.set(chatName(chat), [...texts, ...replies]);
    expected.phone.set(chatName(chat), replies);
  }
  const complete = (now: Snapshot) =>
    (['slack', 'discord', 'phone'] as const).every((platform) =>
      [...expected[platform]].every(([chat, tokens]) => {
        const seen = new Set(now[platform].get(chat) ?? []);
        return tokens.every((token) => seen.has(token));
      }),
    );
  const budgetMs = (options.chats * options.textsPerChat + 120) * 2000;
  await waitFor(() => complete(snapshot(slack, discord, phone)), {
    timeoutMs: budgetMs,
    intervalMs: 100,
    message: `${scenario}: everything delivered`,
  }).catch(async (error: unknown) => {
    const now = snapshot(slack, discord, phone);
    await keepLogs(scenario, daemons, {
      replyEvents: [...replyEventOf],
      slackDeliveries: slack.deliveries,
      acks: slack.acks,
    });
    const reports = tallyAll(expected, now);
    throw new Error(
      `${scenario} (seed ${options.seed}): ${JSON.stringify(reports.filter((r) => r.lost + r.duplicated + r.outOfOrder > 0).slice(0, 10))}`,
      { cause: error },
    );
  });
  const doneAt = Date.now();
  // Anything doubled would show within a few seconds of the end.
  await delay(3000);
  const final = snapshot(slack, discord, phone);
  const reports = tallyAll(expected, final);

  // The bound: what was still to post at the last restart, at the documented pace, each post no earlier than
  // its text (or reply) was written.
  const left: Snapshot = atLastRestart ?? { slack: new Map(), discord: new Map(), phone: new Map(), misplaced: [] };
  const readyTimes = (platform: 'slack' | 'discord' | 'phone', chat: string) => {
    const done = new Set(left[platform].get(chat) ?? []);
    return (expected[platform].get(chat) ?? []).filter((token) => !done.has(token)).map((token) => sentAt.get(token)!);
  };
  const bounds: Array<[string, number]> = [];
  // Slack: one channel for every chat.
  bounds.push([
    'slack channel',
    earliestFinish(
      [...expected.slack.keys()].flatMap((chat) => readyTimes('slack', chat)),
      lastRestartAt,
      paces.slack,
    ),
  ]);
  // Discord: each thread is a channel of its own.
  for (const chat of expected.discord.keys()) {
    bounds.push([`discord ${chat}`, earliestFinish(readyTimes('discord', chat), lastRestartAt, paces.discord)]);
  }
  // messages.dev: one line for every chat.
  bounds.push([
    'phone line',
    earliestFinish(
      [...expected.phone.keys()].flatMap((chat) => readyTimes('phone', chat)),
      lastRestartAt,
      paces.phone,
    ),
  ]);
  const [boundBy, boundAt] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
  const drainSeconds = (doneAt - lastRestartAt) / 1000;
  const boundSeconds = (boundAt - lastRestartAt) / 1000;
  const byPlatform = (platform: string) => sumTallies(reports.filter((report) => report.stream.endsWith(platform)));
  const slackTally = byPlatform('slack');
  const discordTally = byPlatform('discord');
  const phoneTally = byPlatform('phone');
  const figures: ChaosFigures = {
    scenario,
    seed: options.seed,
    kills: options.kills,
    killsAfterAck,
    texts: options.chats * options.textsPerChat,
    replies: options.chats * options.repliesPerChat,
    lost: { slack: slackTally.lost, discord: discordTally.lost, phone: phoneTally.lost },
    duplicated: { slack: slackTally.duplicated, discord: discordTally.duplicated, phone: phoneTally.duplicated },
    outOfOrder: { slack: slackTally.outOfOrder, discord: discordTally.outOfOrder, phone: phoneTally.outOfOrder },
    drainSeconds: round(drainSeconds),
    boundSeconds: round(boundSeconds),
    ratio: round(drainSeconds / Math.max(boundSeconds, 1)),
    boundBy,
    retryAfterViolations: slack.violations.length + discord.violations.length + phone.violations.length,
    rateLimited: {
      slack: slack.calls.filter((call) => call.status === 429).length,
      discord: discord.calls.filter((call) => call.status === 429).length,
      phone: phone.requests.filter((request) => request.status === 429).length,
    },
    ...(replicas > 1
      ? {
          resumeSeconds,
          webhooksToBoth: proxy?.requests.filter((request) => request.sentTo.length > 1).length ?? 0,
          webhooksRefused: proxy?.requests.filter((request) => request.status >= 300).length ?? 0,
        }
      : {}),
  };
  console.log(JSON.stringify(figures));
  const bad = reports.filter((report) => report.lost + report.duplicated + report.outOfOrder > 0);
  if (
    bad.length > 0 ||
    final.misplaced.length > 0 ||
    figures.retryAfterViolations > 0 ||
    process.env['CHAOS_KEEP_LOGS']
  ) {
    await keepLogs(scenario, daemons, {
      bad,
      misplaced: final.misplaced,
      sentAt: [...sentAt],
      violations: [...slack.violations, ...discord.violations, ...phone.violations],
      slack429: slack.calls
        .filter((call) => call.status === 429)
        .map((call) => [call.method, call.at, call.params['channel']]),
      discord429: discord.calls.filter((call) => call.status === 429),
      phone429: phone.requests.filter((request) => request.status === 429),
      slackPosts: slack.calls
        .filter((call) => call.method === 'chat.postMessage')
        .map((call) => [call.at, call.status, call.params['thread_ts'], String(call.params['text']).slice(0, 40)]),
    });
  }
  assert.deepEqual(bad, [], `${scenario} (seed ${options.seed}): every stream once, in order`);
  assert.deepEqual(final.misplaced, [], 'every token in its own chat’s thread');
  assert.equal(figures.retryAfterViolations, 0, 'no request inside a Retry-After');
  void inbound;
  return figures;
}

/** Which of the replicas on `ports` sends now (asked through /readyz; during a takeover, until one does). */
async function senderSlot(ports: readonly number[]): Promise<number> {
  const seen: string[] = [];
  const found = await waitFor(
    async () => {
      for (const [slot, port] of ports.entries()) {
        const body = await fetch(`http://127.0.0.1:${port}/readyz`)
          .then((response) => response.json() as Promise<{ replica?: { role?: string } }>)
          .catch((error: unknown) => ({ error: String(error) }) as { replica?: { role?: string } });
        seen[slot] = JSON.stringify(body).slice(0, 300);
        // waitFor takes a falsy value for "not yet": slot 0 is answered as 1.
        if (body.replica?.role === 'sender') return slot + 1;
      }
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, message: 'a sender replica' },
  ).catch((error: unknown) => {
    throw new Error(`no replica says it sends; /readyz answered: ${seen.join(' | ')}`, { cause: error });
  });
  return found - 1;
}

/** Calls that changed something on a platform and were accepted, so far. */
function platformCalls(slack: SlackSimulator, discord: DiscordSimulator, phone: MessagesDevSimulator): number {
  const slackPosts = slack.calls.filter((call) => call.method === 'chat.postMessage' && call.status === 200).length;
  const discordPosts = discord.calls.filter((call) => call.method === 'POST' && call.status < 300).length;
  return slackPosts + discordPosts + phone.state.outbox.length;
}

/** Reports for every chat on every platform; `stream` is `<chat> <platform>`. */
function tallyAll(
  expected: Record<'slack' | 'discord' | 'phone', Map<string, string[]>>,
  now: Snapshot,
): StreamReport[] {
  const reports: StreamReport[] = [];
  for (const platform of ['slack', 'discord', 'phone'] as const) {
    for (const [chat, tokens] of expected[platform]) {
      if (platform === 'discord') {
        // Texts and replies come from two directions: each keeps its own order; their interleaving is free.
        const seen = now.discord.get(chat) ?? [];
        const texts = tokens.filter((token) => token.includes('-t'));
        const replies = tokens.filter((token) => token.includes('-r'));
        const textReport = tallyStream(
          `${chat} discord`,
          texts,
          seen.filter((token) => token.includes('-t')),
        );
        const replyReport = tallyStream(
          `${chat} discord`,
          replies,
          seen.filter((token) => token.includes('-r')),
        );
        reports.push({
          ...textReport,
          expected: tokens.length,
          arrived: seen.length,
          lost: textReport.lost + replyReport.lost,
          duplicated: textReport.duplicated + replyReport.duplicated,
          outOfOrder: textReport.outOfOrder + replyReport.outOfOrder,
          examples: [...textReport.examples, ...replyReport.examples],
        });
      } else {
        reports.push(tallyStream(`${chat} ${platform}`, tokens, now[platform].get(chat) ?? []));
      }
    }
  }
  return reports;
}

/** On failure: every daemon's log and the simulators' view, in a directory named in the error. */
async function keepLogs(scenario: string, daemons: readonly DaemonProcess[], extra: unknown): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `chaos-logs-`));
  for (const [index, daemon] of daemons.entries()) {
    await writeFile(join(dir, `daemon-${index}.log`), daemon.stdout() + daemon.stderr());
  }
  await writeFile(join(dir, 'simulators.json'), JSON.stringify(extra, null, 1));
  console.log(`${scenario}: logs kept in ${dir}`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
