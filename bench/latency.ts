/**
 * Webhook → platform post latency with idle destinations: one text about every `intervalMs` into conversations
 * whose Slack and Discord threads already exist, from sending the signed webhook (bench process) to the simulator
 * recording the post (its 'call' / 'message' event, in the bench process: the same clock, performance.now()).
 * The bare relay (bench/relay.ts) gets its own text half an interval later, into its own Slack channel and
 * Discord thread, so both see the same machine at the same time and neither shares a rate-limit window.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimMessage as DiscordMessage } from '../sandbox/discord/types.js';
import type { RecordedCall as SlackCall } from '../sandbox/slack/types.js';
import { freePort, sleep, until } from './child.js';
import { startDaemon } from './daemon.js';
import { deliveryFactory, post, webhookPool } from './load.js';
import { startRelay } from './relay.js';
import { percentiles } from './stats.js';
import { atMost, withFloor, type GroupResult, type Row } from './table.js';
import { discordChannelId, lineHandle, PLATFORM_LIMITS, slackChannelId, startWorld, webhookSecret } from './world.js';

const marker = /lat-[dr]-\d+/;

export async function runLatency(options: { quick: boolean; say: (line: string) => void }): Promise<GroupResult> {
  const params = {
    texts: options.quick ? 8 : 60,
    warmupTexts: options.quick ? 2 : 5,
    intervalMs: 1_100,
    conversations: 3,
  };
  options.say(
    `latency: ${JSON.stringify(params)}; daemon and bare relay interleaved (relay ${params.intervalMs / 2} ms after` +
      ` each daemon text); the first ${params.warmupTexts} of each are not counted`,
  );
  const line = lineHandle(3, 1);
  const [slackDaemon, slackRelay] = [slackChannelId(3, 1), slackChannelId(3, 2)];
  const [discordDaemon, discordRelay] = [discordChannelId(3, 1), discordChannelId(3, 2)];
  const world = await startWorld({
    lines: [{ handle: line, slack: slackDaemon, discord: discordDaemon }],
    extraSlackChannels: [slackRelay],
    extraDiscordChannels: [discordRelay],
  });
  const { phone, slack, discord } = world;
  const dir = await mkdtemp(join(tmpdir(), 'threadline-bench-latency-'));
  const port = await freePort();
  const daemon = await startDaemon({
    config: world.config({ storePath: join(dir, 'threadline.json'), port }),
    dir,
    port,
  });
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  try {
    await world.registerWebhooks(daemon.url);
    // The conversations (and their threads) exist before the measurement.
    const chats: { chat: string; sender: string }[] = [];
    for (let k = 0; k < params.conversations; k++) {
      const sender = `+1666300000${k}`;
      const { chatId } = await phone.simulateInbound({ from: sender, text: `latency warm-up ${k}` });
      chats.push({ chat: chatId, sender });
    }
    const threads = () => [...discord.state.threads.values()].filter((t) => t.parent_id === discordDaemon);
    const ready = await until(
      () =>
        slack.state.messages(slackDaemon).length >= params.conversations &&
        threads().length >= params.conversations &&
        threads().every((t) => discord.state.messages(t.id).some((m) => m.content.includes('warm-up'))),
      60_000,
    );
    if (!ready) throw new Error('latency: the conversations were not set up in time');
    // Let every window the setup used refill: the destinations are idle when the measurement starts.
    await sleep(PLATFORM_LIMITS.discord.messagesPerChannel.perMs + 1_000);

    const root = await slack.postAsUser({ user: 'U0ALICE', channel: slackRelay, text: 'bare relay thread' });
    const created = await fetch(`${discord.apiUrl}/v10/channels/${discordRelay}/threads`, {
      method: 'POST',
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bare relay', type: 11 }),
    });
    const relayThread = ((await created.json()) as { id: string }).id;
    relay = await startRelay({
      secret: webhookSecret,
      slack: { apiUrl: slack.apiUrl, token: slack.botToken, channel: slackRelay, threadTs: root.ts },
      discord: { apiUrl: discord.apiUrl, token: discord.token, thread: relayThread },
    });

    const posted = new Map<string, number>();
    const stamp = (key: string) => {
      if (!posted.has(key)) posted.set(key, performance.now());
    };
    slack.on('call', (call: SlackCall) => {
      const found =
        call.method === 'chat.postMessage' && call.response['ok'] === true && marker.exec(JSON.stringify(call.params));
      if (found) stamp(`slack:${found[0]}`);
    });
    discord.on('message', (message: DiscordMessage) => {
      const found = marker.exec(message.content);
      if (found) stamp(`discord:${found[0]}`);
    });

    const sent = new Map<string, number>();
    const acks: number[] = [];
    const targets = [
      {
        tag: 'd',
        pool: webhookPool(daemon.url, 1),
        factory: deliveryFactory({ secret: webhookSecret, line, chats, prefix: 'lat' }),
      },
      {
        tag: 'r',
        pool: webhookPool(relay.url, 1),
        factory: deliveryFactory({ secret: webhookSecret, line, contacts: 1, prefix: 'latr' }),
      },
    ];
    const gcName = 'threadline_nodejs_gc_duration_seconds_count';
    const gcBefore = await daemon.metric(gcName);
    const sending: Promise<void>[] = [];
    const start = performance.now() + 200;
    for (let i = 0; i < params.texts; i++) {
      for (const [j, target] of targets.entries()) {
        const due = start + i * params.intervalMs + (j * params.intervalMs) / 2;
        await sleep(Math.max(0, due - performance.now()));
        const text = `lat-${target.tag}-${i}`;
        const delivery = target.factory.next(text, i);
        const t0 = performance.now();
        sent.set(text, t0);
        sending.push(
          post(target.pool, delivery).then((status) => {
            if (target.tag === 'd' && status === 200) acks.push(performance.now() - t0);
          }),
        );
      }
    }
    await Promise.all(sending);
    const expected = params.texts * 4;
    await until(() => posted.size >= expected, 15_000);
    const gcDuring = (await daemon.metric(gcName)) - gcBefore;
    options.say(`latency: the daemon ran ${gcDuring} garbage collections meanwhile (${params.texts} texts)`);
    for (const target of targets) target.pool.close();

    const series = (platform: 'slack' | 'discord', tag: 'd' | 'r') => {
      const values: number[] = [];
      let missing = 0;
      for (let i = params.warmupTexts; i < params.texts; i++) {
        const at = posted.get(`${platform}:lat-${tag}-${i}`);
        const from = sent.get(`lat-${tag}-${i}`);
        if (at === undefined || from === undefined) missing++;
        else values.push(at - from);
      }
      return { ...percentiles(values), missing };
    };
    const rows: Row[] = [];
    const extra: Record<string, number> = { 'latency.daemonAckP50': percentiles(acks).p50 };
    for (const platform of ['slack', 'discord'] as const) {
      const d = series(platform, 'd');
      const r = series(platform, 'r');
      const name = platform === 'slack' ? 'Slack' : 'Discord';
      options.say(
        `latency: ${name} daemon p50 ${d.p50.toFixed(2)} / p99 ${d.p99.toFixed(2)} ms (${d.missing} missing), ` +
          `relay p50 ${r.p50.toFixed(2)} / p99 ${r.p99.toFixed(2)} ms (${r.missing} missing)`,
      );
      rows.push(
        {
          key: `latency.${platform}.p50`,
          figure: `webhook → ${name} post p50 (${d.n} texts, ~1/s)`,
          value: d.p50,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.p50, r.p50, 'ms'),
          goal: atMost(d.p50 / r.p50, 1.5, '≤ 1.5× relay'),
        },
        {
          key: `latency.${platform}.p99`,
          figure: `webhook → ${name} post p99`,
          value: d.p99,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.p99, r.p99, 'ms'),
          goal: atMost(d.p99 / r.p99, 2, '≤ 2× relay'),
        },
      );
      extra[`latency.${platform}.missing`] = d.missing;
      extra[`latency.${platform}.relayMissing`] = r.missing;
      extra[`latency.${platform}.max`] = d.max;
    }
    return { rows, extra };
  } finally {
    await relay?.process.stop();
    await daemon.stop();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}
