import type { Logger } from 'pino';
import type { BridgeState, TeamBridge, ThreadRef } from '../../src/core/bridge.js';
import { CatchUpCursor } from '../../src/core/catch-up-cursor.js';
import type { PauseBook, SendQueues } from '../../src/queue/send-queue-types.js';
import type { CursorStore } from '../../src/store/store.js';
import { catchUpThreads } from './catch-up.js';
import type { DiscordConfig } from './config.js';
import { connect, createDiscordClient, trackConnection } from './connection.js';
import { discordFileOpener } from './files.js';
import type { InboundScope } from './inbound.js';
import { catchUpCursorKey, handInMessage, listenForEvents, type ListenDeps } from './listen.js';
import { markOnDiscord, noticeOnDiscord, reactOnDiscord, tellOnDiscord } from './marks.js';
import { DiscordNameLookup } from './names.js';
import { createDiscordThread, maxMessageLength, postToDiscord, type DiscordOutboundDeps } from './outbound.js';
import { checkRouteChannels, type RouteChannelType } from './preflight.js';
import { followRateLimitHeaders } from './rate-headers.js';
import { resolveDiscordEvent } from './resolve.js';
import { debounceTyping } from './typing.js';
import { ChannelWebhooks } from './webhooks.js';

export interface DiscordBridgeDeps {
  readonly config: DiscordConfig;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly now?: () => number;
  /** The route channels (text or forum) this bot serves; checked at start-up. */
  readonly channels: readonly string[];
  /** Where the catch-up cursor is kept; without it there is no catch-up after a restart. */
  readonly cursors?: CursorStore;
  /** Where spent webhook budgets are remembered across restarts. */
  readonly pauses?: PauseBook;
  /** True when `thread` under the route channel `parent` is a conversation's (`store.conversations.findByThread`). */
  readonly isConversationThread?: (parent: string, thread: string) => boolean;
  /**
   * Someone is typing in a conversation thread: called at most once per thread per 8 seconds, and only with
   * `discord.forwardTyping` (off by default). The caller decides whether the route is two-way.
   */
  readonly onTyping?: (thread: ThreadRef) => void;
  /** Largest upload per message; Discord's default for servers without boosts is 25 MiB. */
  readonly maxAttachmentBytes?: number;
  /**
   * True when a Discord message id is already linked to a bridged message (`store.links.findByDiscord`). A
   * post replayed after a crash is recognised by its content; this keeps an earlier identical text ("ok")
   * from being taken for it. Unset, any matching message counts.
   */
  readonly isLinked?: (messageId: string) => boolean;
  /** How long discord.js waits for the guilds after READY; tests may shorten it. Default 15 s. */
  readonly waitGuildTimeoutMs?: number;
}

export type DiscordBridge = TeamBridge;

/** Discord's upload limit for servers without boosts (Level 2 allows 50 MiB, Level 3 100 MiB). */
const defaultMaxAttachmentBytes = 25 * 1024 * 1024;

/** Discord: one thread (or forum post) per conversation, both ways, on the real discord.js. */
export function createDiscordBridge(deps: DiscordBridgeDeps): DiscordBridge {
  const { config } = deps;
  const log = deps.log.child({ bridge: 'discord' });
  const now = deps.now ?? Date.now;
  const client = createDiscordClient({
    apiUrl: config.apiUrl,
    ...(deps.waitGuildTimeoutMs === undefined ? {} : { waitGuildTimeoutMs: deps.waitGuildTimeoutMs }),
  });
  let state: BridgeState = 'connecting';
  const setState = (next: BridgeState) => {
    if (state !== 'stopped') state = next;
  };
  trackConnection(client, log, setState, () => state === 'stopped');
  followRateLimitHeaders(client.rest, deps.queues);
  const botId = () => client.user?.id ?? '';
  const webhooks = new ChannelWebhooks({
    rest: client.rest,
    queues: deps.queues,
    log,
    botId,
    now,
    ...(deps.pauses ? { pauses: deps.pauses } : {}),
  });
  const channelTypes = new Map<string, RouteChannelType>();
  const maxAttachmentBytes = deps.maxAttachmentBytes ?? defaultMaxAttachmentBytes;
  const outbound: DiscordOutboundDeps = {
    rest: client.rest,
    queues: deps.queues,
    log,
    webhooks,
    botId,
    isLinked: deps.isLinked ?? (() => false),
    channelType: (channel) => channelTypes.get(channel),
    guildOf: (channel) => {
      const found = client.channels.cache.get(channel);
      return found && 'guildId' in found ? found.guildId : undefined;
    },
    maxAttachmentBytes,
  };
  const scope: InboundScope = { botId, routeChannels: new Set(deps.channels), allowRoles: config.allowRoles };
  const names = new DiscordNameLookup(client, deps.queues);
  const cursor = deps.cursors ? new CatchUpCursor(deps.cursors, catchUpCursorKey) : undefined;
  const isConversationThread = deps.isConversationThread ?? (() => false);

  return {
    id: 'discord',
    capabilities: { markup: 'discord-markdown', maxTextLength: maxMessageLength, maxAttachmentBytes },
    async start(ingest) {
      const listen: ListenDeps = {
        client,
        scope,
        ingest,
        log,
        now,
        isConversationThread,
        ...(cursor ? { cursor } : {}),
        ...(deps.onTyping && config.forwardTyping ? { onTyping: debounceTyping(deps.onTyping, now) } : {}),
      };
      listenForEvents(listen);
      try {
        await connect(client, config.token);
        if (!client.isReady()) throw new Error('Discord client is not ready after login');
        const checked = await checkRouteChannels(client, deps.channels, log);
        for (const [channel, type] of checked.types) channelTypes.set(channel, type);
        for (const channel of checked.noWebhooks) webhooks.disable(channel);
      } catch (error) {
        setState(
          (error as { code?: string }).code === 'credentials_invalid' ? 'bad-credentials' : 'transient-disconnect',
        );
        throw error;
      }
      setState('connected');
      log.info({ user: client.user.tag, channels: deps.channels.length }, 'Discord connected');
      if (cursor) {
        catchUpThreads({
          client,
          queues: deps.queues,
          guilds: () => [...new Set(deps.channels.flatMap((channel) => outbound.guildOf(channel) ?? []))],
          isConversationThread,
          since: cursor.since,
          handIn: (message) => handInMessage(listen, message),
          log,
        }).catch((error: unknown) => log.error({ err: error }, 'Discord catch-up failed'));
      }
    },
    async stop() {
      state = 'stopped';
      // destroy() closes the gateway with 1000; discord.js then stops reconnecting.
      await client.destroy();
    },
    state: () => state,
    createThread: async (channel, info, options) => ({
      thread: await createDiscordThread(outbound, channel, info, options),
    }),
    post: (thread, post) => postToDiscord(outbound, thread, post),
    mark: (thread, message, mark, reason) => markOnDiscord(outbound, thread, message, mark, reason),
    tell: (thread, userId, text) => tellOnDiscord(outbound, thread, userId, text),
    notice: (thread, text, key, replay) => noticeOnDiscord(outbound, thread, text, key, replay),
    resolve: (event) => resolveDiscordEvent({ names, scope }, event),
    react: (thread, message, emoji, removed) => reactOnDiscord(outbound, thread, message, emoji, removed),
    openAttachment: discordFileOpener({ apiUrl: config.apiUrl }),
  } satisfies DiscordBridge;
}
