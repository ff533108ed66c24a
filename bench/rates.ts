/**
 * Rate-limit efficiency of the daemon against simulators that enforce the platforms' limits (PLATFORM_LIMITS):
 *
 * - Slack: texts from one customer into one channel (the first creates the thread; its root carries it);
 * - Discord: texts into one existing thread (its window fresh when they start);
 * - messages.dev: replies written in one Slack thread, all sent to one chat on one line.
 *
 * The three run at once, each on its own line and channel. For each: the time the limit allows for the N posts
 * (the first going at once) ÷ the time measured from the first to the last successful post, the 429s the
 * destination got, and the violations (requests inside an announced Retry-After) the simulator recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedCall as DiscordCall } from '../sandbox/discord/types.js';
import type { RecordedRequest } from '../sandbox/imessage/types.js';
import type { RecordedCall as SlackCall } from '../sandbox/slack/types.js';
import { freePort, sleep, until } from './child.js';
import { startDaemon } from './daemon.js';
import { allowedMs } from './stats.js';
import { atLeast, atMost, type GroupResult, type Row } from './table.js';
import { discordChannelId, lineHandle, PLATFORM_LIMITS, slackChannelId, startWorld } from './world.js';

interface Measured {
  posts: number;
  expected: number;
  firstAt: number;
  lastAt: number;
  allowedMs: number;
  rate429: number;
  violations: number;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

function measure(
  records: readonly { at: number; status: number }[],
  expected: number,
  allowed: (n: number) => number,
  violations: number,
): Measured {
  const ok = records.filter((record) => isSuccess(record.status));
  return {
    posts: ok.length,
    expected,
    firstAt: ok[0]?.at ?? NaN,
    lastAt: ok.at(-1)?.at ?? NaN,
    allowedMs: allowed(ok.length),
    rate429: records.filter((record) => record.status === 429).length,
    violations,
  };
}

export async function runRates(options: { quick: boolean; say: (line: string) => void }): Promise<GroupResult> {
  const counts = options.quick ? { slack: 6, discord: 10, imessage: 4 } : { slack: 40, discord: 20, imessage: 20 };
  const [lineS, lineD, lineP] = [1, 2, 3].map((n) => lineHandle(1, n)) as [string, string, string];
  const [slackS, slackP] = [slackChannelId(1, 1), slackChannelId(1, 3)];
  const discordD = discordChannelId(1, 2);
  options.say(
    `rates: ${counts.slack} texts → 1 Slack channel (new conversation); ${counts.discord} texts → 1 existing Discord ` +
      `thread; ${counts.imessage} Slack replies → 1 chat on 1 line; all three at once, each on its own line. Limits: ` +
      `Slack ${JSON.stringify(PLATFORM_LIMITS.slack)}, Discord ${JSON.stringify(PLATFORM_LIMITS.discord)}, ` +
      `messages.dev ${JSON.stringify(PLATFORM_LIMITS.imessage)}`,
  );
  const world = await startWorld({
    lines: [
      { handle: lineS, slack: slackS },
      { handle: lineD, discord: discordD },
      { handle: lineP, slack: slackP },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'threadline-bench-rates-'));
  const port = await freePort();
  const daemon = await startDaemon({
    config: world.config({ storePath: join(dir, 'threadline.json'), port }),
    dir,
    port,
  });
  try {
    await world.registerWebhooks(daemon.url);
    const { phone, slack, discord } = world;

    // Setup: the Discord thread and the Slack thread the replies are written in exist; then their windows refill.
    const dWarm = await phone.simulateInbound({ line: lineD, from: '+16660000002', text: 'rates-d warm-up' });
    await phone.simulateInbound({ line: lineP, from: '+16660000003', text: 'rates-p warm-up' });
    const threadOf = () => [...discord.state.threads.values()].find((thread) => thread.parent_id === discordD);
    const discordPosted = () => {
      const thread = threadOf();
      return thread !== undefined && discord.state.messages(thread.id).some((m) => m.content.includes('warm-up'));
    };
    if (!(await until(() => discordPosted() && slack.state.messages(slackP).length > 0, 60_000))) {
      throw new Error('rates: setup threads did not appear');
    }
    const thread = threadOf()!.id;
    const root = slack.state.messages(slackP)[0]!;
    await sleep(PLATFORM_LIMITS.discord.messagesPerChannel.perMs + 500);

    const since = { slack: slack.calls.length, discord: discord.calls.length, phone: phone.requests.length };
    const vSince = {
      slack: slack.violations.length,
      discord: discord.violations.length,
      phone: phone.violations.length,
    };
    const slackPosts = (channel: string) =>
      slack.calls
        .slice(since.slack)
        .filter((call: SlackCall) => call.method === 'chat.postMessage' && call.params['channel'] === channel);
    const isThreadPost = (call: DiscordCall) =>
      call.method === 'POST' &&
      ((call.template === '/channels/:channel/messages' && call.route === `/channels/${thread}/messages`) ||
        (call.template === '/webhooks/:webhook/:token' && call.query['thread_id'] === thread));
    const isLineSend = (request: RecordedRequest) =>
      request.method === 'POST' &&
      request.path === '/messages' &&
      (request.body as { from?: unknown } | undefined)?.from === lineP;
    const okWith = (records: readonly { status: number; text: string }[], marker: string) =>
      records.filter((record) => isSuccess(record.status) && record.text.includes(marker)).length;

    const started = Date.now();
    const sendAll = async () => {
      const sends = [
        (async () => {
          for (let i = 0; i < counts.slack; i++) {
            await phone.simulateInbound({ line: lineS, from: '+16660000001', text: `rates-s-${i}` });
          }
        })(),
        (async () => {
          for (let i = 0; i < counts.discord; i++) {
            await phone.simulateInbound({
              line: lineD,
              from: '+16660000002',
              chat: dWarm.chatId,
              text: `rates-d-${i}`,
            });
          }
        })(),
        (async () => {
          for (let i = 0; i < counts.imessage; i++) {
            await slack.postAsUser({ user: 'U0ALICE', channel: slackP, threadTs: root.ts, text: `rates-p-${i}` });
          }
        })(),
      ];
      await Promise.all(sends);
    };
    await sendAll();
    const done = () =>
      okWith(
        slackPosts(slackS).map((call) => ({ status: call.status, text: JSON.stringify(call.params) })),
        'rates-s-',
      ) >= counts.slack &&
      okWith(
        discord.calls
          .slice(since.discord)
          .filter(isThreadPost)
          .map((call) => ({ status: call.status, text: JSON.stringify(call.body) })),
        'rates-d-',
      ) >= counts.discord &&
      okWith(
        phone.requests
          .slice(since.phone)
          .filter(isLineSend)
          .map((request) => ({ status: request.status, text: JSON.stringify(request.body) })),
        'rates-p-',
      ) >= counts.imessage;
    const timeoutMs = (counts.slack + 60) * 2_000;
    const finished = await until(done, timeoutMs, 100);
    if (!finished) options.say(`rates: not every post landed within ${timeoutMs / 1000} s; measuring what did`);
    await sleep(300);

    const slackM = measure(
      slackPosts(slackS),
      counts.slack,
      (n) => allowedMs(n, PLATFORM_LIMITS.slack, 'bucket'),
      slack.violations.slice(vSince.slack).filter((call) => call.params['channel'] === slackS).length,
    );
    const discordM = measure(
      discord.calls.slice(since.discord).filter(isThreadPost),
      counts.discord,
      (n) => allowedMs(n, PLATFORM_LIMITS.discord.messagesPerChannel, 'window'),
      discord.violations.slice(vSince.discord).filter(isThreadPost).length,
    );
    const phoneM = measure(
      phone.requests.slice(since.phone).filter(isLineSend),
      counts.imessage,
      (n) => allowedMs(n, PLATFORM_LIMITS.imessage.sendsPerLine, 'window'),
      phone.violations.slice(vSince.phone).filter(isLineSend).length,
    );
    options.say(
      `rates: measured in ${((Date.now() - started) / 1000).toFixed(1)} s; each destination's calls (s, status):`,
    );
    options.say(`  Slack        ${timeline(slackPosts(slackS), started)}`);
    options.say(`  Discord      ${timeline(discord.calls.slice(since.discord).filter(isThreadPost), started)}`);
    options.say(`  messages.dev ${timeline(phone.requests.slice(since.phone).filter(isLineSend), started)}`);
    return toRows({ slack: slackM, discord: discordM, imessage: phoneM }, counts);
  } finally {
    await daemon.stop();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `0.01 200, 0.02 429, …`: when each call was answered (seconds after `from`) and how. */
function timeline(records: readonly { at: number; status: number }[], from: number): string {
  return records.map((record) => `${((record.at - from) / 1000).toFixed(2)} ${record.status}`).join(', ');
}

function toRows(all: Record<'slack' | 'discord' | 'imessage', Measured>, counts: Record<string, number>): GroupResult {
  const names = { slack: 'Slack', discord: 'Discord', imessage: 'messages.dev' } as const;
  const what = {
    slack: `${counts['slack']} texts, 1 channel`,
    discord: `${counts['discord']} texts, 1 thread`,
    imessage: `${counts['imessage']} replies, 1 line`,
  };
  const rows: Row[] = [];
  const extra: Record<string, number> = {};
  for (const platform of ['slack', 'discord', 'imessage'] as const) {
    const m = all[platform];
    const measuredMs = m.lastAt - m.firstAt;
    const efficiency = m.posts < 2 ? NaN : (100 * m.allowedMs) / measuredMs;
    const key = `rates.${platform}`;
    rows.push(
      {
        key: `${key}.efficiency`,
        figure: `${names[platform]} % of allowed rate (${what[platform]})`,
        value: efficiency,
        unit: '%',
        goal: atLeast(efficiency, 98, '≥ 98 %'),
      },
      {
        key: `${key}.429s`,
        figure: `${names[platform]} 429s`,
        value: m.rate429,
        unit: '',
        digits: 0,
        goal: atMost(m.rate429, 1, '≤ 1'),
      },
      {
        key: `${key}.violations`,
        figure: `${names[platform]} violations (inside Retry-After)`,
        value: m.violations,
        unit: '',
        digits: 0,
        goal: atMost(m.violations, 0, '0'),
      },
    );
    extra[`${key}.posts`] = m.posts;
    extra[`${key}.expected`] = m.expected;
    extra[`${key}.allowedSeconds`] = m.allowedMs / 1000;
    extra[`${key}.measuredSeconds`] = measuredMs / 1000;
  }
  return { rows, extra };
}
