import type { TestContext } from 'node:test';
import {
  startDiscordSimulator,
  type DiscordSimulator,
  type DiscordSimulatorOptions,
} from '../../sandbox/discord/index.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { startSlackSimulator, type SlackSimulator, type SlackSimulatorOptions } from '../../sandbox/slack/index.js';
import { startApp, type RunningApp } from './app-harness.js';

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
  /** Points the messages.dev webhook at the (current) daemon. */
  registerWebhook(): Promise<void>;
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
  };
  readonly replyMode?: 'auto' | 'explicit';
  readonly pollScheduleMs?: number[];
}

/** The simulators plus the whole daemon wired to them, in-process; everything is torn down after the test. */
export async function startWorld(t: TestContext, options: WorldOptions = {}): Promise<World> {
  const phone = await startMessagesDevSimulator({ webhookSecret, lines: [{ handle: line }] });
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
    `imessage: { apiUrl: "${phone.apiUrl}", apiKey: ${phone.apiKey}, webhookSecret: ${webhookSecret} }`,
    slack
      ? `slack: { botToken: ${slack.botToken}, ${slackMode === 'socket' ? `appToken: ${slack.appToken}` : `signingSecret: ${slack.signingSecret}`}, apiUrl: "${slack.apiUrl}"${options.slack?.allowUsers ? `, allowUsers: [${options.slack.allowUsers.join(', ')}]` : ''} }`
      : '',
    discord
      ? `discord: { token: ${options.discord?.token ?? discord.token}, apiUrl: "${discord.apiUrl}"${options.discord?.allowRoles ? `, allowRoles: [${options.discord.allowRoles.map((id) => `"${id}"`).join(', ')}]` : ''} }`
      : '',
    options.replyMode ? `replies: { mode: ${options.replyMode} }` : '',
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
  };
  daemon = await startApp(t, yaml, appOptions);
  let current: RunningApp = daemon;
  const world: World = {
    phone,
    slack,
    discord,
    discordChannel,
    get daemon() {
      return current;
    },
    async registerWebhook() {
      for (const hook of phone.state.webhooks) {
        await fetch(`${phone.apiUrl}/webhooks`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: hook.id }),
        });
      }
      const response = await fetch(`${phone.apiUrl}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: line,
          url: `${world.daemon.url}/webhooks/imessage`,
          events: ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'],
        }),
      });
      if (response.status !== 201) throw new Error(`webhook registration failed: ${response.status}`);
      if (slack && slackMode === 'http') slack.setHttpEventsUrl(`${world.daemon.url}/slack/events`);
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
