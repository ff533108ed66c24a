import { signWebhook } from '../../bridges/imessage/webhook.js';
import type { TestContext } from 'node:test';
import {
  startDiscordSimulator,
  type DiscordSimulator,
  type DiscordSimulatorOptions,
} from '../../sandbox/discord/index.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { startSlackSimulator, type SlackSimulator, type SlackSimulatorOptions } from '../../sandbox/slack/index.js';
import { startApp, type RunningApp } from './app-harness.js';
import type { StoreKind } from './test-stores.js';

export const line = '+15551234567';
export const slackChannel = 'C0123456789';
export const customer = '+15559876543';
export const webhookSecret = 'whsec_world';
/** The simulator's default text channel and forum channel. */
export const discordTextChannel = '112233445566778899';
export const discordForumChannel = '112233445566778800';

export interface World {
  readonly phone: MessagesDevSimulator;
  readonly slack: SlackSimulator | undefined;
  readonly discord: DiscordSimulator | undefined;
  /** The route's Discord channel (text or forum), when Discord is on. */
  readonly discordChannel: string | undefined;
  /** The daemon running now (a restart replaces it). */
  readonly daemon: RunningApp;
  /** Points the messages.dev webhook at the (current) daemon, or at `url`; replaces any other. */
  registerWebhook(url?: string): Promise<void>;
  /** Removes every messages.dev webhook: texts then arrive without reaching the daemon. */
  unregisterWebhooks(): Promise<void>;
  /** POSTs a recorded delivery body to the daemon, freshly timestamped and signed as messages.dev would. */
  deliverSigned(recordedBody: string): Promise<Response>;
  /** Stops the daemon and starts it again on the same store; re-registers the webhook. */
  restart(): Promise<void>;
}

export interface WorldOptions {
  readonly slack?: {
    mode?: 'socket' | 'http';
    routeMode?: 'two-way' | 'mirror';
    sim?: SlackSimulatorOptions;
    allowUsers?: string[];
  };
  readonly discord?: {
    routeMode?: 'two-way' | 'mirror';
    /** The route channel; default the simulator's text channel. */
    channel?: string;
    sim?: DiscordSimulatorOptions;
    allowRoles?: string[];
    /** The token the daemon uses; default the simulator's own. */
    token?: string;
    forwardTyping?: boolean;
  };
  readonly replyMode?: 'auto' | 'explicit';
  readonly pollScheduleMs?: number[];
  /** messages.dev simulator options (the line and the webhook secret are the world's). */
  readonly phoneSim?: Omit<NonNullable<Parameters<typeof startMessagesDevSimulator>[0]>, 'webhookSecret' | 'lines'>;
  /** `delivery.maxAgeHours`. */
  readonly maxAgeHours?: number;
  /** Effect backoff after a transient failure. Default here: 20 ms doubling to 200 ms (tests stay quick). */
  readonly effectRetry?: { baseMs: number; capMs: number };
  /** How long a destination fails before /readyz calls it degraded. */
  readonly degradedAfterMs?: number;
  /** How long a messages.dev send in doubt is looked for before it counts as not sent. */
  readonly reconcileWindowMs?: number;
  /** `imessage.requestTimeoutMs` (at least 1000). */
  readonly phoneTimeoutMs?: number;
  /** `imessage.sendIntervalMs` (the line's pacing; 0 for none). */
  readonly phoneSendIntervalMs?: number;
  /** The store backend; default lowdb. */
  readonly store?: StoreKind;
  /** With PostgreSQL: the first daemon's replica name. */
  readonly replica?: string;
}

/** The simulators plus the whole daemon wired to them, in-process; everything is torn down after the test. */
export async function startWorld(t: TestContext, options: WorldOptions = {}): Promise<World> {
  const phone = await startMessagesDevSimulator({ ...options.phoneSim, webhookSecret, lines: [{ handle: line }] });
  const slackMode = options.slack?.mode ?? 'socket';
  const slack = options.slack
    ? await startSlackSimulator({ eventDelivery: slackMode === 'http' ? 'http' : 'socket', ...options.slack.sim })
    : undefined;
  const discord = options.discord ? await startDiscordSimulator(options.discord.sim) : undefined;
  const discordChannel = discord ? (options.discord?.channel ?? discordTextChannel) : undefined;
  // The SDKs must stop before their simulators close, or they keep reconnecting.
  let daemon: RunningApp | undefined;
  t.after(async () => {
    await daemon?.app.stop();
    await slack?.close();
    await discord?.close();
    await phone.close();
  });
  const yaml = [
    `imessage: { apiUrl: "${phone.apiUrl}", apiKey: ${phone.apiKey}, webhookSecret: ${webhookSecret}${options.phoneTimeoutMs ? `, requestTimeoutMs: ${options.phoneTimeoutMs}` : ''}${options.phoneSendIntervalMs !== undefined ? `, sendIntervalMs: ${options.phoneSendIntervalMs}` : ''} }`,
    slack
      ? `slack: { botToken: ${slack.botToken}, ${slackMode === 'socket' ? `appToken: ${slack.appToken}` : `signingSecret: ${slack.signingSecret}`}, apiUrl: "${slack.apiUrl}"${options.slack?.allowUsers ? `, allowUsers: [${options.slack.allowUsers.join(', ')}]` : ''} }`
      : '',
    discord
      ? `discord: { token: ${options.discord?.token ?? discord.token}, apiUrl: "${discord.apiUrl}"${options.discord?.allowRoles ? `, allowRoles: [${options.discord.allowRoles.map((id) => `"${id}"`).join(', ')}]` : ''}${options.discord?.forwardTyping ? ', forwardTyping: true' : ''} }`
      : '',
    options.replyMode ? `replies: { mode: ${options.replyMode} }` : '',
    options.maxAgeHours !== undefined ? `delivery: { maxAgeHours: ${options.maxAgeHours} }` : '',
    'routes:',
    `  - line: "${line}"`,
    slack ? `    slack: { channel: ${slackChannel}, mode: ${options.slack?.routeMode ?? 'two-way'} }` : '',
    discord ? `    discord: { channel: "${discordChannel}", mode: ${options.discord?.routeMode ?? 'two-way'} }` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const appOptions = {
    pollScheduleMs: options.pollScheduleMs ?? [300, 1000],
    slackPingTimeoutMs: 300,
    drainTimeoutMs: 500,
    effectRetry: options.effectRetry ?? { baseMs: 20, capMs: 200 },
    ...(options.degradedAfterMs !== undefined ? { degradedAfterMs: options.degradedAfterMs } : {}),
    ...(options.reconcileWindowMs !== undefined ? { reconcileWindowMs: options.reconcileWindowMs } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.replica ? { replica: options.replica } : {}),
  };
  daemon = await startApp(t, yaml, appOptions);
  let current: RunningApp = daemon;
  const phoneApi = (method: 'POST' | 'DELETE', body: object) =>
    fetch(`${phone.apiUrl}/webhooks`, {
      method,
      headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const world: World = {
    phone,
    slack,
    discord,
    discordChannel,
    get daemon() {
      return current;
    },
    async unregisterWebhooks() {
      for (const hook of phone.state.webhooks) {
        await phoneApi('DELETE', { id: hook.id });
      }
    },
    async registerWebhook(url = `${world.daemon.url}/webhooks/imessage`) {
      await world.unregisterWebhooks();
      const response = await phoneApi('POST', {
        from: line,
        url,
        events: ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'],
      });
      if (response.status !== 201) throw new Error(`webhook registration failed: ${response.status}`);
      if (slack && slackMode === 'http') slack.setHttpEventsUrl(`${world.daemon.url}/slack/events`);
    },
    async deliverSigned(recorded) {
      const timestamp = Date.now();
      const body = JSON.stringify({ ...(JSON.parse(recorded) as object), timestamp });
      return fetch(`${world.daemon.url}/webhooks/imessage`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-timestamp': String(timestamp),
          'x-webhook-signature': signWebhook(webhookSecret, timestamp, body),
        },
        body,
      });
    },
    async restart() {
      current = await current.restart();
      daemon = current;
      await world.registerWebhook();
    },
  };
  await world.registerWebhook();
  return world;
}
