import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { imessageDestinationConfig, apiKeyBucket } from '../bridges/imessage/destinations.js';
import { createImessageBridge, type ImessageBridge } from '../bridges/imessage/index.js';
import { createDiscordBridge } from '../bridges/discord/index.js';
import { discordBuckets, discordDestinationConfig } from '../bridges/discord/destinations.js';
import { createSlackBridge } from '../bridges/slack/index.js';
import { slackDestinationConfig } from '../bridges/slack/web.js';
import type { Config } from './config/schema.js';
import type { BridgeState, TeamBridge } from './core/bridge.js';
import { createIngest, type IngestFn } from './core/ingress.js';
import { JournalWorker } from './core/journal-worker.js';
import type { TeamBridgeId } from './core/model.js';
import { createReactionTable } from './core/reactions.js';
import { createRouter } from './core/router.js';
import { createRouterMetrics } from './core/metrics.js';
import type { RouteSpec } from './core/routes.js';
import { DEFAULT_BUCKET_LIMITS, resolveDefaultDestination } from './queue/default-limits.js';
import type { SendQueues } from './queue/send-queue-types.js';
import { createSendQueues } from './queue/send-queues.js';
import { createHttpServer } from './server/http-server.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';

export interface AppDeps {
  readonly log: Logger;
  /** The clock for signature windows and timestamps; tests inject one. */
  readonly now?: () => number;
  /** Outbox poll schedule after a send (ms); tests shorten it. */
  readonly pollScheduleMs?: readonly number[];
  /** How long a shutdown waits for in-flight work before leaving it to the journal. Default 8 s (inside Docker's 10 s). */
  readonly drainTimeoutMs?: number;
  /** Slack Socket Mode reconnect delay (ms); tests shorten it. */
  readonly slackPingTimeoutMs?: number;
}

export interface App {
  /** Opens the store, connects the bridges, replays the journal, starts the HTTP server; resolves with its URL. */
  start(): Promise<string>;
  /** Stops ingress, drains work, stops the bridges, flushes the store. Safe to call twice. */
  stop(): Promise<void>;
  /** The open store (after start), for tests and tools. */
  readonly store: Store | undefined;
  readonly registry: Registry;
}

const defaultDrainTimeoutMs = 8_000;

/** Threads with activity this recent are caught up after a restart. */
const recentThreadMs = 7 * 24 * 60 * 60 * 1000;

/** Maps the config's routes to the core's terms. */
export function routeSpecs(config: Config): RouteSpec[] {
  return config.routes.map((route) => ({
    line: route.line,
    teams: {
      ...(route.slack ? { slack: { channel: route.slack.channel, mode: route.slack.mode } } : {}),
      ...(route.discord ? { discord: { channel: route.discord.channel, mode: route.discord.mode } } : {}),
    },
    replies: {
      mode: route.replyMode ?? config.replies.mode,
      notePrefix: config.replies.notePrefix,
      sendPrefix: config.replies.sendPrefix,
    },
  }));
}

/** Builds the whole daemon from a validated config. Nothing runs until `start()`. */
export function createApp(config: Config, deps: AppDeps): App {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'threadline_' });

  const imessageDestinations = imessageDestinationConfig(config.imessage);
  const queues: SendQueues = createSendQueues({
    log: log.child({ component: 'queue' }),
    registry,
    buckets: {
      [apiKeyBucket]: {
        limit: { ...DEFAULT_BUCKET_LIMITS.imessageApiKey, count: config.imessage.hourlyRequestBudget },
      },
      ...discordBuckets,
    },
    destinations: (key) =>
      key.startsWith('imessage:')
        ? imessageDestinations(key)
        : key.startsWith('slack:')
          ? slackDestinationConfig(key)
          : key.startsWith('discord:')
            ? discordDestinationConfig(key)
            : resolveDefaultDestination(key),
  });

  let store: Store | undefined;
  let phone: ImessageBridge | undefined;
  const teams: Partial<Record<TeamBridgeId, TeamBridge>> = {};
  let stopping: Promise<void> | undefined;
  let stopWork: () => Promise<void> = async () => {};

  const readiness = (): Record<string, BridgeState | 'starting'> => ({
    imessage: phone?.state() ?? 'starting',
    ...(config.slack ? { slack: teams.slack?.state() ?? 'starting' } : {}),
    ...(config.discord ? { discord: teams.discord?.state() ?? 'starting' } : {}),
  });
  const server = createHttpServer({
    host: config.server.host,
    port: config.server.port,
    bodyLimitBytes: config.server.bodyLimitBytes,
    log: log.child({ component: 'http' }),
    registry,
    readiness,
  });

  return {
    registry,
    get store() {
      return store;
    },
    async start() {
      const openStore = await openLowdbStore({
        path: config.store.path,
        linkRetentionDays: config.store.retentionDays,
        logger: log.child({ component: 'store' }),
      });
      store = openStore;
      phone = createImessageBridge({
        config: config.imessage,
        lines: config.routes.map((route) => route.line),
        queues,
        cursors: store.cursors,
        log,
        now,
        ...(deps.pollScheduleMs ? { pollScheduleMs: deps.pollScheduleMs } : {}),
      });
      const recent = (team: TeamBridgeId) => () =>
        openStore.conversations
          .list()
          .filter((conversation) => conversation.lastActivityAt > now() - recentThreadMs)
          .flatMap((conversation) => (conversation.threads[team] ? [conversation.threads[team]] : []));
      if (config.slack) {
        const slack = createSlackBridge({
          config: config.slack,
          queues,
          log,
          now,
          recentThreads: recent('slack'),
          cursors: store.cursors,
          ...(deps.slackPingTimeoutMs ? { clientPingTimeoutMs: deps.slackPingTimeoutMs } : {}),
        });
        teams.slack = slack;
        if (slack.httpHandler) server.addRawRoute('POST', '/slack/events', slack.httpHandler);
      }
      if (config.discord) {
        teams.discord = createDiscordBridge({
          config: config.discord,
          queues,
          log,
          now,
          channels: config.routes.flatMap((route) => (route.discord ? [route.discord.channel] : [])),
          recentThreads: recent('discord'),
          cursors: store.cursors,
          isLinked: (messageId) => openStore.links.findByDiscord(messageId) !== undefined,
          onTyping: (thread) => forwardTyping('discord', thread),
        });
      }
      /** A member types in a linked two-way thread: the customer sees "typing…" (the bridge debounces). */
      const forwardTyping = (team: TeamBridgeId, thread: { channel: string; thread: string }) => {
        const conversation = openStore.conversations.findByThread(team, thread.channel, thread.thread);
        const route = conversation && config.routes.find((candidate) => candidate.line === conversation.key.line);
        if (!conversation || route?.[team]?.mode !== 'two-way') return;
        phone?.typing?.(conversation.key).catch((error: unknown) => log.debug({ err: error }, 'Typing not forwarded'));
      };
      const router = createRouter({
        store,
        phone,
        teams,
        routes: routeSpecs(config),
        reactions: createReactionTable({
          unmapped: config.reactions.unmapped,
          ...(config.reactions.emoji ? { tapbackToEmoji: config.reactions.emoji } : {}),
        }),
        log: log.child({ component: 'router' }),
        now,
        metrics: createRouterMetrics(registry, () => openStore.journal.size, now),
      });
      const worker = new JournalWorker({
        journal: store.journal,
        route: (ingress, replay) => router.route(ingress, replay),
        log,
      });
      const ingest: IngestFn = createIngest(
        {
          claim: (key, ttlMs) => openStore.dedupe.claim(key, ttlMs),
          append: (item) => openStore.journal.append(item),
          commit: () => openStore.commit(),
        },
        { onJournaled: (seq, ingress) => worker.accept(seq, ingress) },
      );
      server.addRawRoute('POST', '/webhooks/imessage', phone.webhookHandler(ingest));
      worker.replayPending();
      await phone.start(ingest);
      await Promise.all(Object.values(teams).map((team) => team.start(ingest)));
      stopWork = async () => {
        // Give in-flight work a bounded time to finish; what is left stays in the journal for the next start.
        const drained = await Promise.race([
          worker.drain().then(() => true),
          delay(deps.drainTimeoutMs ?? defaultDrainTimeoutMs, false, { ref: false }),
        ]);
        if (!drained)
          log.warn(
            { pending: worker.inFlight },
            'Stopping with work left in the journal; it resumes on the next start',
          );
        worker.freeze();
        queues.close();
        await router.drain();
      };
      return server.listen();
    },
    stop() {
      stopping ??= (async () => {
        await server.close();
        await stopWork();
        queues.close();
        await phone?.stop();
        await Promise.all(Object.values(teams).map((team) => team.stop()));
        await store?.close();
      })();
      return stopping;
    },
  };
}
