import { App, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BridgeState, Mark, TeamBridge, ThreadRef } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import type { IngestFn } from '../../src/core/ingress.js';
import type { Ingress, MessageId } from '../../src/core/model.js';
import { parseTextCommand } from './command.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { RawHandler } from '../../src/server/http-server.js';
import type { CursorStore } from '../../src/store/store.js';
import { boltLogger } from './bolt-logger.js';
import { catchUpThreads } from './catch-up.js';
import type { SlackConfig } from './config.js';
import { slackFileOpener } from './files.js';
import { mentionedIds, slackToPlain } from './format.js';
import { SlackHttpReceiver } from './http-receiver.js';
import { toCoreEvent, type SlackSelf } from './inbound.js';
import {
  createSlackThread,
  markOnSlack,
  postToSlack,
  reactOnSlack,
  tellInSlackChannel,
  tellOnSlack,
  type SlackOutboundDeps,
} from './outbound.js';
import { RootStatus } from './root-status.js';
import { SlackUserNames } from './users.js';
import { translateSlackError } from './web.js';

export interface SlackBridgeDeps {
  readonly config: SlackConfig;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly now?: () => number;
  /** Socket Mode's ping timeout, which is also its reconnect delay; tests shorten it. Default 5000. */
  readonly clientPingTimeoutMs?: number;
  /** The conversations' Slack threads, for catch-up after a restart. */
  readonly recentThreads?: () => ThreadRef[];
  /** Where the catch-up cursor is kept. */
  readonly cursors?: CursorStore;
  readonly maxAttachmentBytes?: number;
  /** Slack emoji names of the ✅ ⚠️ 📝 marks. */
  readonly marks?: Readonly<Record<Mark, string>>;
}

export interface SlackBridge extends TeamBridge {
  readonly mode: 'socket' | 'http';
  /** `POST /slack/events`, for HTTP mode: mount it on the server. */
  readonly httpHandler: RawHandler | undefined;
}

/** ✅ ⚠️ 📝 by their Slack names. */
const defaultMarks: Record<Mark, string> = { sent: 'white_check_mark', failed: 'warning', note: 'memo' };
/** Slack's own limit is 1 GB; 100 MiB keeps memory bounded and matches the phone side. */
const defaultMaxAttachmentBytes = 100 * 1024 * 1024;

/** Slack: one thread per conversation, both ways, on the real @slack/bolt (Socket Mode by default). */
export function createSlackBridge(deps: SlackBridgeDeps): SlackBridge {
  const { config } = deps;
  const log = deps.log.child({ bridge: 'slack' });
  const now = deps.now ?? Date.now;
  const mode = config.appToken ? 'socket' : 'http';
  // The send queue is the one layer that waits on Slack's limits: the SDK rejects at once and never retries.
  const clientOptions = { slackApiUrl: config.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } };
  const client = new WebClient(config.botToken, { ...clientOptions, logger: boltLogger(log) });
  const maxAttachmentBytes = deps.maxAttachmentBytes ?? defaultMaxAttachmentBytes;
  const outbound: SlackOutboundDeps = {
    client,
    queues: deps.queues,
    log,
    maxAttachmentBytes,
    marks: deps.marks ?? defaultMarks,
    learned: { customizeRefused: false },
  };
  const names = new SlackUserNames(client, deps.queues, now);
  const rootStatus = new RootStatus(outbound, now);
  const httpReceiver =
    mode === 'http' ? new SlackHttpReceiver({ signingSecret: config.signingSecret ?? '', now, log }) : undefined;
  let app: App | undefined;
  let state: BridgeState = 'connecting';

  /** Renders Slack markup to plain text and names the author, then hands the event in. */
  const handIn = async (ingest: IngestFn, eventId: string, raw: unknown, self: SlackSelf): Promise<void> => {
    const converted = toCoreEvent(eventId, raw, self);
    if (!converted) return;
    let ingress: Ingress = converted.ingress;
    const event = ingress.event;
    if (event.kind === 'message' || event.kind === 'reaction' || event.kind === 'edit' || event.kind === 'delete') {
      const author = {
        ...event.author,
        name: await names.nameOf(event.author.id),
        ...(config.allowUsers && !config.allowUsers.includes(event.author.id) ? { mayText: false } : {}),
      };
      if (event.kind === 'message' && converted.markup !== undefined) {
        const ids = mentionedIds(converted.markup);
        const users = new Map(await Promise.all(ids.users.map(async (id) => [id, await names.nameOf(id)] as const)));
        const text = slackToPlain(converted.markup, { users, channels: new Map() });
        ingress = { ...ingress, event: { ...event, author, text } };
      } else {
        ingress = { ...ingress, event: { ...event, author } };
      }
    }
    await ingest(ingress, log);
    if (event.kind === 'message') deps.cursors?.set('slack:catch-up', { lastSentAt: event.sentAt });
  };

  return {
    id: 'slack',
    mode,
    capabilities: { markup: 'mrkdwn', maxTextLength: 40_000, maxAttachmentBytes },
    get httpHandler() {
      return httpReceiver?.handler;
    },
    async start(ingest) {
      let self: SlackSelf;
      try {
        const auth = await client.auth.test();
        self = { botUserId: String(auth.user_id), botId: String(auth.bot_id ?? '') };
      } catch (error) {
        const translated = translateSlackError(error, 'auth.test');
        state = translated.retryable ? 'transient-disconnect' : 'bad-credentials';
        throw new BridgeError(
          'credentials_invalid',
          `Slack rejected the bot token (${translated.message}); check slack.botToken`,
          {
            cause: error,
          },
        );
      }
      const receiver =
        httpReceiver ??
        new SocketModeReceiver({
          appToken: config.appToken ?? '',
          clientPingTimeout: deps.clientPingTimeoutMs ?? 5000,
          logger: boltLogger(log),
          installerOptions: { clientOptions },
        });
      app = new App({
        token: config.botToken,
        receiver,
        botId: self.botId,
        botUserId: self.botUserId,
        clientOptions,
        logger: boltLogger(log),
      });
      app.error(async (error) => {
        log.error({ err: error }, 'Slack listener failed');
      });
      app.command(config.textCommand, async ({ command, ack }) => {
        const parsed = parseTextCommand(command.text, config.textCommand);
        if ('error' in parsed) {
          await ack({ response_type: 'ephemeral', text: parsed.error });
          return;
        }
        const author = {
          id: command.user_id,
          name: await names.nameOf(command.user_id),
          ...(config.allowUsers && !config.allowUsers.includes(command.user_id) ? { mayText: false } : {}),
        };
        await ingest(
          {
            dedupeKey: `slack:command:${command.trigger_id}`,
            event: {
              kind: 'start',
              origin: { bridge: 'slack', messageId: command.trigger_id as MessageId, channel: command.channel_id },
              author,
              sentAt: now(),
              handle: parsed.handle,
              text: parsed.text,
            },
          },
          log,
        );
        await ack({ response_type: 'ephemeral', text: `Texting ${parsed.handle}…` });
      });
      for (const type of ['message', 'reaction_added', 'reaction_removed'] as const) {
        app.event(type, async ({ event, body }) => {
          await handIn(ingest, String((body as { event_id?: string }).event_id ?? ''), event, self);
        });
      }
      if (receiver instanceof SocketModeReceiver) {
        const socket = receiver.client;
        socket.on('connected', () => {
          state = 'connected';
          log.info('Slack Socket Mode connected');
        });
        socket.on('reconnecting', () => {
          state = 'transient-disconnect';
          log.warn('Slack Socket Mode reconnecting');
        });
        socket.on('disconnected', () => {
          if (state !== 'stopped') state = 'transient-disconnect';
        });
        try {
          await app.start();
        } catch (error) {
          state = 'bad-credentials';
          throw new BridgeError(
            'credentials_invalid',
            `Slack Socket Mode could not connect; check slack.appToken (${String(error)})`,
            {
              cause: error,
            },
          );
        }
      }
      state = 'connected';
      if (deps.recentThreads) {
        catchUpThreads({
          client,
          queues: deps.queues,
          threads: deps.recentThreads(),
          since: deps.cursors?.get('slack:catch-up')?.lastSentAt,
          handIn: (eventId, raw) => handIn(ingest, eventId, raw, self),
          log,
        }).catch((error: unknown) => log.error({ err: error }, 'Slack catch-up failed'));
      }
    },
    async stop() {
      state = 'stopped';
      await app?.stop();
    },
    state: () => state,
    createThread: (channel, info) => createSlackThread(outbound, channel, info),
    async post(thread, post) {
      const ref = await postToSlack(outbound, thread, post);
      if (post.voice === 'customer') {
        rootStatus
          .touch(thread, now())
          .catch((error: unknown) => log.warn({ err: error }, 'Could not update the thread root'));
      }
      return ref;
    },
    mark: (thread, message, mark, reason) => markOnSlack(outbound, thread, message, mark, reason),
    tell: (thread, user, text) => tellOnSlack(outbound, thread, user, text),
    tellInChannel: (channel, user, text) => tellInSlackChannel(outbound, channel, user, text),
    react: (_thread, message, emoji, removed) => reactOnSlack(outbound, message, emoji, removed),
    openAttachment: slackFileOpener({ botToken: config.botToken, apiUrl: config.apiUrl }),
  } satisfies SlackBridge;
}
