/**
 * Backlog drain after a restart. Conversations exist on several lines (each routed to its own Slack channel and
 * Discord channel); Slack and Discord then answer 503 (an outage) while texts keep arriving, so every post stays
 * pending in the store; the daemon is stopped (SIGTERM), the outage ends, and the daemon starts again on the same
 * store. Measured: from spawning the new process until the last post landed, against the time the platforms'
 * limits need for the posts each destination got (the slowest destination bounds it; the first post of each may
 * go at once). Each text must land once in Slack and once in Discord: lost and duplicated ones are counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedCall as DiscordCall, SimMessage as DiscordMessage } from '../sandbox/discord/types.js';
import type { RecordedCall as SlackCall } from '../sandbox/slack/types.js';
import { freePort, sleep, until } from './child.js';
import { startDaemon, type Daemon } from './daemon.js';
import { allowedMs } from './stats.js';
import { atLeast, withFloor, type GroupResult } from './table.js';
import { discordChannelId, lineHandle, PLATFORM_LIMITS, slackChannelId, startWorld, type BenchLine } from './world.js';

const marker = /bl-\d+-\d+-\d+/;

export async function runBacklog(options: { quick: boolean; say: (line: string) => void }): Promise<GroupResult> {
  const params = options.quick
    ? { lines: 2, conversationsPerLine: 2, textsPerConversation: 3 }
    : { lines: 3, conversationsPerLine: 10, textsPerConversation: 10 };
  const texts = params.lines * params.conversationsPerLine * params.textsPerConversation;
  options.say(`backlog: ${JSON.stringify(params)} = ${texts} texts (${2 * texts} posts) pending across a restart`);
  const lines: BenchLine[] = Array.from({ length: params.lines }, (_, l) => ({
    handle: lineHandle(4, l + 1),
    slack: slackChannelId(4, l + 1),
    discord: discordChannelId(4, l + 1),
  }));
  const world = await startWorld({ lines });
  const { phone, slack, discord } = world;
  const dir = await mkdtemp(join(tmpdir(), 'threadline-bench-backlog-'));
  const port = await freePort();
  const config = world.config({ storePath: join(dir, 'threadline.json'), port });
  let daemon: Daemon | undefined = await startDaemon({ config, dir, port });
  try {
    await world.registerWebhooks(daemon.url);
    const conversations: { line: string; sender: string; chat: string; tag: string }[] = [];
    for (const [l, line] of lines.entries()) {
      for (let c = 0; c < params.conversationsPerLine; c++) {
        const sender = `+1666400${String(l * 100 + c).padStart(4, '0')}`;
        const { chatId } = await phone.simulateInbound({ line: line.handle, from: sender, text: `hello ${l}-${c}` });
        conversations.push({ line: line.handle, sender, chat: chatId, tag: `${l}-${c}` });
      }
    }
    const threadsOf = (channel: string) => [...discord.state.threads.values()].filter((t) => t.parent_id === channel);
    const setUp = await until(
      () =>
        lines.every(
          (line) =>
            slack.state.messages(line.slack!).length >= params.conversationsPerLine &&
            threadsOf(line.discord!).length >= params.conversationsPerLine &&
            threadsOf(line.discord!).every((t) =>
              discord.state.messages(t.id).some((m) => m.content.includes('hello')),
            ),
        ),
      120_000,
      100,
    );
    if (!setUp) throw new Error('backlog: the conversations were not set up in time');
    await sleep(1_000);

    slack.startOutage({ mode: '503' });
    discord.startOutage({ mode: '503' });
    for (let n = 0; n < params.textsPerConversation; n++) {
      for (const conversation of conversations) {
        await phone.simulateInbound({
          line: conversation.line,
          from: conversation.sender,
          chat: conversation.chat,
          text: `bl-${conversation.tag}-${n}`,
        });
      }
    }
    const pendingAtStop = await daemon.metric('threadline_effects_pending');
    const exitCode = await daemon.stop();
    daemon = undefined;
    slack.endOutage();
    discord.endOutage();
    options.say(`backlog: ${pendingAtStop} effects pending when the daemon stopped (exit ${exitCode}); restarting`);

    const posts = { slack: new Map<string, number>(), discord: new Map<string, number>() };
    let lastPostAt = NaN;
    const count = (map: Map<string, number>, text: string) => {
      const found = marker.exec(text);
      if (!found) return;
      map.set(found[0], (map.get(found[0]) ?? 0) + 1);
      lastPostAt = performance.now();
    };
    slack.on('call', (call: SlackCall) => {
      if (call.method === 'chat.postMessage' && call.response['ok'] === true)
        count(posts.slack, String(call.params['text']));
    });
    discord.on('message', (message: DiscordMessage) => count(posts.discord, message.content));
    const since = { slack: slack.calls.length, discord: discord.calls.length };
    const vSince = { slack: slack.violations.length, discord: discord.violations.length };

    daemon = await startDaemon({ config, dir, port });
    const spawnedAt = daemon.spawnedAt;
    const allLanded = () => posts.slack.size >= texts && posts.discord.size >= texts;
    const timeoutMs = (texts / params.lines) * 2_000 + 60_000;
    const drained = await until(allLanded, timeoutMs, 50);
    if (!drained) options.say(`backlog: not every text landed within ${timeoutMs / 1000} s`);
    const drainMs = lastPostAt - spawnedAt;
    await sleep(500);

    // What the limits allow for the posts each destination got after the restart.
    const slackCalls = slack.calls.slice(since.slack).filter((call) => call.method === 'chat.postMessage');
    const discordPosts = discord.calls.slice(since.discord).filter(isThreadPost);
    let bound = 0;
    for (const line of lines) {
      const n = slackCalls.filter((call) => call.params['channel'] === line.slack && call.status === 200).length;
      bound = Math.max(bound, allowedMs(n, PLATFORM_LIMITS.slack, 'bucket'));
    }
    const perThread = new Map<string, number>();
    for (const call of discordPosts.filter((call) => call.status >= 200 && call.status < 300)) {
      const thread = threadOfPost(call);
      perThread.set(thread, (perThread.get(thread) ?? 0) + 1);
    }
    for (const n of perThread.values()) {
      bound = Math.max(bound, allowedMs(n, PLATFORM_LIMITS.discord.messagesPerChannel, 'window'));
    }
    const spawnedWall = Date.now() - (performance.now() - spawnedAt); // the simulators stamp calls with Date.now()
    // Where the time went: each Slack channel's first and last post after the spawn, and its gaps over 1.5 s.
    for (const line of lines) {
      const times = slackCalls
        .filter((call) => call.params['channel'] === line.slack && call.status === 200)
        .map((call) => (call.at - spawnedWall) / 1000);
      const gaps = times.slice(1).map((at, i) => at - times[i]!);
      const long = gaps.filter((gap) => gap > 1.5);
      options.say(
        `backlog: Slack ${line.slack}: ${times.length} posts from ${times[0]?.toFixed(1)} s to ${times.at(-1)?.toFixed(1)} s;` +
          ` ${long.length} gaps over 1.5 s (${long.map((gap) => gap.toFixed(1)).join(', ')})`,
      );
    }
    const lost = 2 * texts - posts.slack.size - posts.discord.size;
    const duplicated = [...posts.slack.values(), ...posts.discord.values()].reduce((sum, n) => sum + n - 1, 0);
    const efficiency = (100 * bound) / drainMs;
    options.say(
      `backlog: drained in ${(drainMs / 1000).toFixed(1)} s from spawn (ready after ${(daemon.readyMs / 1000).toFixed(1)} s);` +
        ` the limits allow ${(bound / 1000).toFixed(1)} s; ${lost} lost, ${duplicated} duplicated`,
    );
    return {
      rows: [
        {
          key: 'backlog.drainSeconds',
          figure: `backlog drain after restart (${texts} texts → ${2 * texts} posts)`,
          value: drainMs / 1000,
          unit: 's',
          floor: withFloor(drainMs / 1000, bound / 1000, 's'),
        },
        {
          key: 'backlog.efficiency',
          figure: 'backlog drain: % of the time the limits allow',
          value: efficiency,
          unit: '%',
          goal: atLeast(efficiency, 90, '≥ 90 %'),
        },
      ],
      extra: {
        'backlog.allowedSeconds': bound / 1000,
        'backlog.pendingAtStop': pendingAtStop,
        'backlog.readySeconds': daemon.readyMs / 1000,
        'backlog.lost': lost,
        'backlog.duplicated': duplicated,
        'backlog.slack429s': slackCalls.filter((call) => call.status === 429).length,
        'backlog.discord429s': discordPosts.filter((call) => call.status === 429).length,
        'backlog.violations': slack.violations.length - vSince.slack + (discord.violations.length - vSince.discord),
      },
    };
  } finally {
    await daemon?.stop();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A message post into a channel or thread: as the bot, or through a channel webhook with `thread_id`. */
function isThreadPost(call: DiscordCall): boolean {
  return (
    call.method === 'POST' &&
    (call.template === '/channels/:channel/messages' ||
      (call.template === '/webhooks/:webhook/:token' && call.query['thread_id'] !== undefined))
  );
}

function threadOfPost(call: DiscordCall): string {
  return call.template === '/webhooks/:webhook/:token' ? (call.query['thread_id'] ?? '') : call.route;
}
