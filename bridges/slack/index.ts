import { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { BridgeState, Mark, ResolvableEvent, TeamBridge, ThreadRef } from '../../src/core/bridge.js';
import { CatchUpCursor } from '../../src/core/catch-up-cursor.js';
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
import { createPostMessage } from './post-message.js';
import {
  createSlackThread,
  markOnSlack,
  noticeOnSlack,
  postToSlack,
  reactOnSlack,
  tellInSlackChannel,
  tellOnSlack,
  type SlackOutboundDeps,
} from './outbound.js';
import { RootStatus } from './root-status.js';
import { SlackSocketReceiver, type JournalOutcomes } from './socket-receiver.js';
import { SlackUserNames } from './users.js';
import { translateSlackError } from './web.js';

export interface SlackBridgeDeps {
  readonly config: SlackConfig;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly now?: () => number;
  /** Socket Mode's ping timeout, which is also its reconnect delay; tests shorten it. Default 5000. */
  readonly clientPingTimeoutMs?: number;
  /** The conversations' Slack threads with activity since a time (Unix ms), for catch-up after a restart. */
  readonly recentThreads?: (sinceMs: number) => ThreadRef[];
  /** The route channels, whose threads catch-up looks through after a restart. */
  readonly channels?: readonly string[];
  /** True when a thread in a channel is a conversation's (catch-up reads only those). */
  readonly isLinkedThread?: (channel: string, ts: string) => boolean;
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

/** Where the catch-up cursor (a low-water mark, see CatchUpCursor) is kept. */
const catchUpCursorKey = 'slack:catch-up';

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
  // A call that hangs is abandoned after 30 s (the outcome is then reconciled), never held forever.
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 30_000,
  };
  const client = new WebClient(config.botToken, { ...clientOptions, logger: boltLogger(log) });
  const maxAttachmentBytes = deps.maxAttachmentBytes ?? defaultMaxAttachmentBytes;
  const outbound: SlackOutboundDeps = {
    client,
    post: createPostMessage({ apiUrl: config.apiUrl, token: config.botToken, timeoutMs: clientOptions.timeout }),
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
  const socketReceiver =
    mode === 'socket'
      ? new SlackSocketReceiver({
          appToken: config.appToken ?? '',
          clientPingTimeoutMs: deps.clientPingTimeoutMs ?? 5000,
          log,
          clientOptions,
        })
      : undefined;
  const outcomes: JournalOutcomes | undefined = httpReceiver ?? socketReceiver;
  let app: App | undefined;
  let state: BridgeState = 'connecting';

  const cursor = deps.cursors ? new CatchUpCursor(deps.cursors, catchUpCursorKey) : undefined;
  const mayText = (user: string) => (config.allowUsers && !config.allowUsers.includes(user) ? { mayText: false } : {});

  /**
   * Hands an event in as it arrived, before any lookup: markup and user ids are resolved when its work runs
   * (`resolve`). The catch-up cursor only passes it once it is journaled. A failure to journal is reported
   * to the receiver, which then does not acknowledge the event, so Slack sends it again.
   */
  const handIn = async (ingest: IngestFn, eventId: string, raw: unknown, self: SlackSelf, body?: unknown) => {
    const converted = toCoreEvent(eventId, raw, self);
    if (!converted) return;
    let ingress: Ingress = converted.ingress;
    const event = ingress.event;
    if (event.kind === 'message') {
      const author = { ...event.author, ...mayText(event.author.id) };
      ingress = { ...ingress, event: { ...event, author, text: converted.markup ?? event.text, unresolved: true } };
    } else if (event.kind === 'reaction' || event.kind === 'edit' || event.kind === 'delete') {
      ingress = { ...ingress, event: { ...event, author: { ...event.author, ...mayText(event.author.id) } } };
    }
    const done = event.kind === 'message' ? cursor?.begin(event.sentAt) : undefined;
    try {
      await ingest(ingress, log);
    } catch (error) {
      outcomes?.failed(body);
      throw error;
    }
    done?.();
  };

  /** Slack markup → plain text, and the names of the author and of the people mentioned. */
  const resolve = async <E extends ResolvableEvent>(event: E): Promise<E> => {
    if (!event.unresolved) return event;
    const author = { ...event.author, name: await names.nameOf(event.author.id) };
    const { unresolved: _unresolved, ...rest } = event;
    if (rest.kind !== 'message') return { ...rest, author } as E;
    const ids = mentionedIds(rest.text);
    const users = new Map(await Promise.all(ids.users.map(async (id) => [id, await names.nameOf(id)] as const)));
    return { ...rest, author, text: slackToPlain(rest.text, { users, channels: new Map() }) } as E;
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
        outbound.self = { botUserId: self.botUserId };
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
      const receiver = (httpReceiver ?? socketReceiver)!;
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
        // Journaled as it came: the author's name is looked up when the command runs.
        try {
          await ingest(
            {
              dedupeKey: `slack:command:${command.trigger_id}`,
              event: {
                kind: 'start',
                origin: { bridge: 'slack', messageId: command.trigger_id as MessageId, channel: command.channel_id },
                author: { id: command.user_id, ...mayText(command.user_id) },
                sentAt: now(),
                handle: parsed.handle,
                text: parsed.text,
                unresolved: true,
              },
            },
            log,
          );
        } catch (error) {
          outcomes?.failed(command);
          throw error;
        }
        await ack({ response_type: 'ephemeral', text: `Texting ${parsed.handle}…` });
      });
      for (const type of ['message', 'reaction_added', 'reaction_removed'] as const) {
        app.event(type, async ({ event, body }) => {
          await handIn(ingest, String((body as { event_id?: string }).event_id ?? ''), event, self, body);
        });
      }
      if (socketReceiver) {
        const socket = socketReceiver.client;
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
      if (deps.recentThreads && cursor) {
        catchUpThreads({
          client,
          queues: deps.queues,
          channels: deps.channels ?? [],
          isLinked: deps.isLinkedThread ?? (() => true),
          recentThreads: deps.recentThreads,
          since: cursor.since,
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
    createThread: (channel, info, options) => createSlackThread(outbound, channel, info, options),
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
    notice: (thread, text, key, replay) => noticeOnSlack(outbound, thread, text, key, replay),
    resolve,
    tellInChannel: (channel, user, text) => tellInSlackChannel(outbound, channel, user, text),
    react: (_thread, message, emoji, removed) => reactOnSlack(outbound, message, emoji, removed),
    openAttachment: slackFileOpener({ botToken: config.botToken, apiUrl: config.apiUrl }),
  } satisfies SlackBridge;
}
