/**
 * The simulators of messages.dev, Slack and Discord, run inside the bench process, with the lines and channels a
 * benchmark asks for, and the daemon config that points at them.
 */
import { startDiscordSimulator, type DiscordSimulator } from '../sandbox/discord/index.js';
import type { RateLimitOptions } from '../sandbox/discord/types.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../sandbox/imessage/index.js';
import type { SimulatorOptions } from '../sandbox/imessage/types.js';
import { startSlackSimulator, type SlackSimulator } from '../sandbox/slack/index.js';
import type { PostMessageLimit } from '../sandbox/slack/types.js';

export const webhookSecret = 'whsec_bench';

/** The platforms' documented limits, as the simulators enforce them in these benchmarks. */
export const PLATFORM_LIMITS = {
  /** chat.postMessage per channel: 1 per second, burst 1 (Retry-After in whole seconds). */
  slack: { count: 1, perMs: 1_000, burst: 1 } satisfies PostMessageLimit,
  /** 5 messages per 5 s per channel (each thread is one), 50 requests/s globally, 30 webhook runs/min/channel. */
  discord: {
    messagesPerChannel: { count: 5, perMs: 5_000 },
    globalPerSecond: 50,
    webhookPerChannelPerMinute: 30,
  } satisfies RateLimitOptions,
  /** 1 send per second per line, 1,000 requests per hour per key. */
  imessage: { sendsPerLine: { count: 1, perMs: 1_000 }, hourlyBudget: 1_000 } satisfies SimulatorOptions,
} as const;

/** One messages.dev line and where its route sends it. */
export interface BenchLine {
  readonly handle: string;
  readonly slack?: string;
  readonly discord?: string;
}

export interface World {
  readonly phone: MessagesDevSimulator;
  readonly slack: SlackSimulator;
  readonly discord: DiscordSimulator;
  readonly lines: readonly BenchLine[];
  /**
   * The daemon's YAML: these simulators, `log.level: warn`, the store at `storePath` (or, with `pg`, the
   * PostgreSQL store at `pg.url` in schema `pg.schema`), a route per line.
   */
  config(options: WorldStoreOptions & { port: number; imessage?: string }): string;
  /** Points every line's messages.dev webhook at `url` (replacing earlier ones). */
  registerWebhooks(url: string): Promise<void>;
  close(): Promise<void>;
}

/** Where the daemon's store is: the embedded store's main file, or a PostgreSQL database and schema. */
export type WorldStoreOptions = { storePath: string } | { pg: { url: string; schema: string } };

/** `n`-th line handle of a benchmark (E.164, distinct per `group`). */
export const lineHandle = (group: number, n: number) => `+1555${group}${String(n).padStart(6, '0')}`;
/** A Slack channel id (C + 10 characters). */
export const slackChannelId = (group: number, n: number) => `C0BENCH${group}${String(n).padStart(3, '0')}`;
/** A Discord channel snowflake. */
export const discordChannelId = (group: number, n: number) => `5${group}00000000000${String(n).padStart(5, '0')}`;

export async function startWorld(options: {
  lines: readonly BenchLine[];
  /** Extra Slack channels (not routed), e.g. the bare relay's. */
  extraSlackChannels?: readonly string[];
  extraDiscordChannels?: readonly string[];
  slackLimit?: PostMessageLimit | false;
  discordLimits?: RateLimitOptions;
  phone?: Pick<SimulatorOptions, 'sendsPerLine' | 'hourlyBudget'>;
}): Promise<World> {
  const { lines } = options;
  const slackChannels = [
    ...lines.flatMap((line) => (line.slack ? [line.slack] : [])),
    ...(options.extraSlackChannels ?? []),
  ];
  const discordChannels = [
    ...lines.flatMap((line) => (line.discord ? [line.discord] : [])),
    ...(options.extraDiscordChannels ?? []),
  ];
  const phone = await startMessagesDevSimulator({
    webhookSecret,
    lines: lines.map((line) => ({ handle: line.handle })),
    ...(options.phone ?? PLATFORM_LIMITS.imessage),
  });
  const slack = await startSlackSimulator({
    channels: slackChannels.map((id, i) => ({ id, name: `bench-${i}` })),
    rateLimits: { postMessagePerChannel: options.slackLimit ?? PLATFORM_LIMITS.slack },
  });
  const discord = await startDiscordSimulator({
    channels: discordChannels.map((id, i) => ({ id, name: `bench-${i}`, type: 0 as const })),
    rateLimits: options.discordLimits ?? PLATFORM_LIMITS.discord,
  });
  const phoneApi = async (method: 'POST' | 'DELETE', body: object) => {
    const response = await fetch(`${phone.apiUrl}/webhooks`, {
      method,
      headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  };
  return {
    phone,
    slack,
    discord,
    lines,
    config(settings) {
      const { port, imessage = '' } = settings;
      const store =
        'pg' in settings
          ? `store: { url: "${settings.pg.url}", schema: "${settings.pg.schema}" }`
          : `store: { path: "${settings.storePath}" }`;
      const routes = lines.flatMap((line) => [
        `  - line: "${line.handle}"`,
        ...(line.slack ? [`    slack: { channel: ${line.slack}, mode: two-way }`] : []),
        ...(line.discord ? [`    discord: { channel: "${line.discord}", mode: two-way }`] : []),
      ]);
      return [
        `imessage: { apiUrl: "${phone.apiUrl}", apiKey: ${phone.apiKey}, webhookSecret: ${webhookSecret}${imessage} }`,
        `slack: { botToken: ${slack.botToken}, appToken: ${slack.appToken}, apiUrl: "${slack.apiUrl}" }`,
        `discord: { token: ${discord.token}, apiUrl: "${discord.apiUrl}" }`,
        `server: { host: 127.0.0.1, port: ${port} }`,
        store,
        'log: { level: warn }',
        'routes:',
        ...routes,
        '',
      ].join('\n');
    },
    async registerWebhooks(url) {
      for (const hook of phone.state.webhooks) await phoneApi('DELETE', { id: hook.id });
      for (const line of lines) {
        const status = await phoneApi('POST', {
          from: line.handle,
          url: `${url}/webhooks/imessage`,
          events: ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'],
        });
        if (status !== 201) throw new Error(`webhook registration for ${line.handle} failed: ${status}`);
      }
    },
    async close() {
      await slack.close();
      await discord.close();
      await phone.close();
    },
  };
}
