/**
 * Soak (a benchmark, not a test; not part of `npm run bench`): `npm run soak [-- --minutes 20]`.
 *
 * The daemon (a child run as `npm start` runs it, log.level warn) against the simulators (in this process) for `--minutes`:
 * `--in` customer texts per second (spread over the conversations of `--lines` lines, each line routed to its own
 * Slack channel and Discord channel, so no channel is pushed past its limit) and `--out` team replies per second,
 * half written in Slack threads and half in Discord threads, all sent to the phone. Every `--sample` seconds the
 * daemon's RSS is read from /proc; after a `--warmup` (minutes) the least-squares slope of RSS over time is
 * printed in MB/min with its standard error. Then the load stops, the backlog drains, and every text is looked
 * for once in Slack and once in Discord, every reply once at messages.dev: missing and duplicated are counted
 * (missing after a drain that ran out of time, `--drain` seconds, may still be pending in the daemon: what it
 * still has queued is printed).
 *
 * The limits are the platforms' (PLATFORM_LIMITS) except messages.dev's hourly budget: 5 replies/s is 18,000
 * sends an hour, far past the 1,000 requests one key gets, so the simulator and the daemon get 1,000,000.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SimMessage as DiscordMessage } from '../sandbox/discord/types.js';
import type { RecordedCall as SlackCall } from '../sandbox/slack/types.js';
import { freePort, sleep, until } from './child.js';
import { startDaemon } from './daemon.js';
import { leastSquares } from './stats.js';
import { describeMachine } from './table.js';
import { discordChannelId, lineHandle, PLATFORM_LIMITS, slackChannelId, startWorld, type BenchLine } from './world.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    in: { type: 'string', default: '5' },
    out: { type: 'string', default: '5' },
    lines: { type: 'string', default: '10' },
    conversations: { type: 'string', default: '5' },
    sample: { type: 'string', default: '10' },
    drain: { type: 'string', default: '300' },
  },
});
const params = {
  minutes: Number(values.minutes),
  warmupMinutes: Number(values.warmup),
  textsPerSecond: Number(values.in),
  repliesPerSecond: Number(values.out),
  lines: Number(values.lines),
  conversationsPerLine: Number(values.conversations),
  sampleSeconds: Number(values.sample),
  drainSeconds: Number(values.drain),
  hourlyBudget: 1_000_000,
};
console.log(describeMachine());
console.log(`soak: ${JSON.stringify(params)}; limits ${JSON.stringify(PLATFORM_LIMITS)} (hourly budget raised)`);
console.log('where: daemon = child process; simulators and load = this process');

const lines: BenchLine[] = Array.from({ length: params.lines }, (_, l) => ({
  handle: lineHandle(5, l + 1),
  slack: slackChannelId(5, l + 1),
  discord: discordChannelId(5, l + 1),
}));
const world = await startWorld({
  lines,
  phone: { sendsPerLine: PLATFORM_LIMITS.imessage.sendsPerLine, hourlyBudget: params.hourlyBudget },
});
const { phone, slack, discord } = world;
const dir = await mkdtemp(join(tmpdir(), 'threadline-soak-'));
const port = await freePort();
const config = world.config({
  storePath: join(dir, 'threadline.json'),
  port,
  imessage: `, hourlyRequestBudget: ${params.hourlyBudget}`,
});
const daemon = await startDaemon({ config, dir, port });
console.log(`daemon ready in ${(daemon.readyMs / 1000).toFixed(1)} s, RSS ${daemon.rssMb().toFixed(1)} MB`);

try {
  await world.registerWebhooks(daemon.url);
  // The conversations, each with its Slack root and Discord thread.
  const conversations: {
    line: BenchLine;
    sender: string;
    chat: string;
    hello: string;
    slackTs?: string;
    thread?: string;
  }[] = [];
  for (const [l, line] of lines.entries()) {
    for (let c = 0; c < params.conversationsPerLine; c++) {
      const sender = `+1666500${String(l * 100 + c).padStart(4, '0')}`;
      const hello = `soak hello ${l}-${c}`;
      const { chatId } = await phone.simulateInbound({ line: line.handle, from: sender, text: hello });
      conversations.push({ line, sender, chat: chatId, hello });
    }
  }
  const located = await until(
    () =>
      conversations.every((conversation) => {
        const { hello, line } = conversation;
        conversation.slackTs ??= slack.state.messages(line.slack!).find((m) => m.text.includes(hello))?.ts;
        conversation.thread ??= [...discord.state.threads.values()].find(
          (t) => t.parent_id === line.discord && discord.state.messages(t.id).some((m) => m.content.includes(hello)),
        )?.id;
        return conversation.slackTs !== undefined && conversation.thread !== undefined;
      }),
    180_000,
    200,
  );
  if (!located) throw new Error('soak: the conversations were not set up in time');

  const seen = { slack: new Map<string, number>(), discord: new Map<string, number>() };
  const count = (map: Map<string, number>, text: string) => {
    const found = /soak-in-\d+/.exec(text);
    if (found) map.set(found[0], (map.get(found[0]) ?? 0) + 1);
  };
  slack.on('call', (call: SlackCall) => {
    if (call.method === 'chat.postMessage' && call.response['ok'] === true)
      count(seen.slack, String(call.params['text']));
  });
  discord.on('message', (message: DiscordMessage) => {
    if (message.origin === 'bot' || message.origin === 'webhook') count(seen.discord, message.content);
  });

  // The load: texts in and replies out, each on its own schedule; the RSS sampled meanwhile.
  let texts = 0;
  let replies = 0;
  let failures = 0;
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const tracked = work.catch(() => failures++).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const start = performance.now();
  const end = start + params.minutes * 60_000;
  const samples: { minutes: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    const minutes = (performance.now() - start) / 60_000;
    const rss = daemon.rssMb();
    samples.push({ minutes, rss });
    void daemon.metric('threadline_effects_pending').then((pending) => {
      console.log(
        `t=${minutes.toFixed(2)} min  RSS ${rss.toFixed(1)} MB  pending ${pending}  in ${texts}  out ${replies}`,
      );
    });
  }, params.sampleSeconds * 1000);
  const schedule = (perSecond: number, act: (n: number) => Promise<unknown>) =>
    (async () => {
      for (let n = 0; ; n++) {
        const due = start + (n * 1000) / perSecond;
        if (due >= end) return;
        await sleep(Math.max(0, due - performance.now()));
        track(act(n));
      }
    })();
  await Promise.all([
    schedule(params.textsPerSecond, (n) => {
      const conversation = conversations[n % conversations.length]!;
      texts++;
      return phone.simulateInbound({
        line: conversation.line.handle,
        from: conversation.sender,
        chat: conversation.chat,
        text: `soak-in-${n}`,
      });
    }),
    schedule(params.repliesPerSecond, (n) => {
      // A different conversation order than the texts', so replies and texts do not always share a thread.
      const conversation = conversations[(n * 7 + 3) % conversations.length]!;
      replies++;
      return n % 2 === 0
        ? slack.postAsUser({
            user: 'U0ALICE',
            channel: conversation.line.slack!,
            threadTs: conversation.slackTs!,
            text: `soak-out-${n}`,
          })
        : discord.postAsMember({
            userId: '444444444444444441',
            channelId: conversation.thread!,
            content: `soak-out-${n}`,
          });
    }),
  ]);
  clearInterval(sampler);
  await Promise.all([...inFlight]);

  // Drain, then count.
  const outSeen = () => {
    const counts = new Map<string, number>();
    for (const item of phone.state.outbox) {
      const text = item.payload['text'];
      const found = item.kind === 'message' && typeof text === 'string' && /soak-out-\d+/.exec(text);
      if (found) counts.set(found[0], (counts.get(found[0]) ?? 0) + 1);
    }
    return counts;
  };
  const drainStarted = performance.now();
  const drained = () => seen.slack.size >= texts && seen.discord.size >= texts && outSeen().size >= replies;
  await until(drained, params.drainSeconds * 1000, 500);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const out = outSeen();
  const duplicates = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n - 1, 0);

  const tally = (keys: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    return [...counts].map(([key, n]) => `${key} ×${n}`).join(', ');
  };
  console.log(`\nSlack calls: ${tally(slack.calls.map((c) => `${c.method} ${c.status}`))}`);
  console.log(`Discord calls: ${tally(discord.calls.map((c) => `${c.method} ${c.template} ${c.status}`))}`);
  console.log(
    `messages.dev calls: ${tally(phone.requests.map((r) => `${r.method} ${r.path.replace(/\/(msg|cht|obx)_\w+/, '/:id')} ${r.status}`))}`,
  );
  const metrics = await fetch(`${daemon.url}/metrics`).then(
    (response) => response.text(),
    () => '',
  );
  const backlog = metrics
    .split('\n')
    .filter((line) => /^threadline_(queue_depth|effects_pending)\{/.test(line) && !line.endsWith(' 0'));
  console.log(`still queued / pending in the daemon at the end:\n  ${backlog.join('\n  ') || 'nothing'}`);
  console.log('\nRSS samples (minutes, MB):');
  console.log(samples.map((s) => `${s.minutes.toFixed(2)} ${s.rss.toFixed(1)}`).join('\n'));
  const steady = samples.filter((s) => s.minutes >= params.warmupMinutes).map((s) => ({ x: s.minutes, y: s.rss }));
  const fit = leastSquares(steady);
  const flat = Math.abs(fit.slope) <= 2 * fit.slopeStdErr || Math.abs(fit.slope) < 0.1;
  console.log(
    `\nRSS slope after ${params.warmupMinutes} min warm-up: ${fit.slope.toFixed(3)} ± ${(2 * fit.slopeStdErr).toFixed(3)} MB/min` +
      ` (least squares over ${steady.length} samples, ± 2 standard errors); flat: ${flat ? 'yes' : 'NO'}` +
      ` (|slope| within 2 SE of 0, or under 0.1 MB/min)`,
  );
  const drainNote = drained()
    ? `everything landed ${drainSeconds.toFixed(1)} s after the load stopped`
    : `NOT everything landed within the ${params.drainSeconds} s drain: "missing" below may still be pending (see above)`;
  console.log(drainNote);
  console.log(
    `texts in: ${texts} sent; Slack ${texts - seen.slack.size} missing, ${duplicates(seen.slack)} duplicated; ` +
      `Discord ${texts - seen.discord.size} missing, ${duplicates(seen.discord)} duplicated`,
  );
  console.log(
    `replies out: ${replies} written; ${replies - out.size} missing, ${duplicates(out)} duplicated at messages.dev`,
  );
  console.log(`${failures} simulator helper calls failed`);
  console.log(
    JSON.stringify({
      soak: params,
      rssSlopeMbPerMin: fit.slope,
      rssSlopeStdErr: fit.slopeStdErr,
      flat,
      rssFirst: samples[0]?.rss,
      rssLast: samples.at(-1)?.rss,
      texts,
      replies,
      drained: drained(),
      missingSlack: texts - seen.slack.size,
      missingDiscord: texts - seen.discord.size,
      missingReplies: replies - out.size,
      duplicated: duplicates(seen.slack) + duplicates(seen.discord) + duplicates(out),
      drainSeconds,
    }),
  );
} finally {
  await daemon.stop();
  await world.close();
  await rm(dir, { recursive: true, force: true });
}
