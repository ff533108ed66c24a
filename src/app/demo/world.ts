import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startDiscordSimulator, type DiscordSimulator } from '../../../sandbox/discord/index.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../../sandbox/imessage/index.js';
import { startSlackSimulator, type SlackSimulator } from '../../../sandbox/slack/index.js';
import { createApp, type App } from '../app.js';
import { parseConfig } from '../load-config.js';
import {
  demoConfigYaml,
  demoDiscordChannel,
  demoDiscordMembers,
  demoLine,
  demoOutboxDelayMs,
  demoSlackChannel,
  demoSlackUsers,
  demoWebhookSecret,
  type DemoEndpoints,
} from './setup.js';

/** The three simulators and the real daemon between them. */
export interface DemoWorld {
  readonly phone: MessagesDevSimulator;
  readonly slack: SlackSimulator;
  readonly discord: DiscordSimulator;
  /** Why the Discord bridge is not running, when it is not; undefined when it is. */
  readonly discordUnavailable: string | undefined;
  /** The daemon's own URL (webhooks, /healthz, /metrics). */
  readonly daemonUrl: string;
  /** Stops the daemon first (its SDKs must not outlive the simulators), then the simulators. Safe to call twice. */
  stop(): Promise<void>;
}

const webhookEvents = ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'];

/** Starts the simulators, then the daemon from the embedded config with its store in a temp folder, wired together. */
export async function startDemoWorld(log: Logger): Promise<DemoWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'threadline-demo-'));
  const phone = await startMessagesDevSimulator({
    webhookSecret: demoWebhookSecret,
    lines: [{ handle: demoLine, label: 'Support line' }],
    outboxDelayMs: demoOutboxDelayMs,
  });
  const slack = await startSlackSimulator({
    channels: [{ ...demoSlackChannel, isPrivate: false, botIsMember: true }],
    users: [...demoSlackUsers],
  });
  const discord = await startDiscordSimulator({
    channels: [{ ...demoDiscordChannel, type: 0 }],
    members: [...demoDiscordMembers],
  });
  const closeSimulators = async () => {
    await slack.close();
    await discord.close();
    await phone.close();
    await rm(dir, { recursive: true, force: true });
  };
  const endpoints: DemoEndpoints = {
    imessageApiUrl: phone.apiUrl,
    imessageApiKey: phone.apiKey,
    slackApiUrl: slack.apiUrl,
    slackBotToken: slack.botToken,
    slackAppToken: slack.appToken,
  };
  let started: { app: App; url: string; discordUnavailable: string | undefined };
  try {
    started = await startDaemon(log, dir, endpoints, { discordApiUrl: discord.apiUrl, discordToken: discord.token });
    await registerWebhook(phone, `${started.url}/webhooks/imessage`);
  } catch (error) {
    await closeSimulators();
    throw error;
  }
  const { app, url, discordUnavailable } = started;
  let stopping: Promise<void> | undefined;
  return {
    phone,
    slack,
    discord,
    discordUnavailable,
    daemonUrl: url,
    stop() {
      stopping ??= (async () => {
        await app.stop();
        await closeSimulators();
      })();
      return stopping;
    },
  };
}

/**
 * Starts the daemon with the Discord route; should the Discord bridge fail to start (e.g. a build without
 * it), starts it again without Discord so the rest of the demo still works, and says why.
 */
async function startDaemon(
  log: Logger,
  dir: string,
  endpoints: DemoEndpoints,
  discord: Pick<DemoEndpoints, 'discordApiUrl' | 'discordToken'>,
): Promise<{ app: App; url: string; discordUnavailable: string | undefined }> {
  try {
    const withDiscord = await startApp(log, join(dir, 'full', 'threadline.json'), { ...endpoints, ...discord });
    return { ...withDiscord, discordUnavailable: undefined };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn({ err: error }, 'Demo: the Discord bridge did not start; running without it');
    const withoutDiscord = await startApp(log, join(dir, 'no-discord', 'threadline.json'), endpoints);
    return { ...withoutDiscord, discordUnavailable: reason };
  }
}

async function startApp(log: Logger, storePath: string, endpoints: DemoEndpoints): Promise<{ app: App; url: string }> {
  const config = parseConfig(demoConfigYaml(endpoints, storePath), 'the demo config', {});
  const app = createApp(config, { log });
  try {
    return { app, url: await app.start() };
  } catch (error) {
    await app.stop().catch(() => undefined);
    throw error;
  }
}

/** What `threadline webhooks register` does for a real line: point the four events at the daemon. */
async function registerWebhook(phone: MessagesDevSimulator, url: string): Promise<void> {
  const response = await fetch(`${phone.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: demoLine, url, events: webhookEvents }),
  });
  if (response.status !== 201)
    throw new Error(`Demo: registering the messages.dev webhook failed (${response.status})`);
}
