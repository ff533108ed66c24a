import type { Logger } from 'pino';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { imessageDestinationConfig, apiKeyBucket } from '../../bridges/imessage/destinations.js';
import { createImessageBridge, type ImessageBridge } from '../../bridges/imessage/index.js';
import { createImessageWebhookHandler } from '../../bridges/imessage/ingress.js';
import { createDiscordBridge } from '../../bridges/discord/index.js';
import { discordBuckets, discordDestinationConfig } from '../../bridges/discord/destinations.js';
import { createSlackBridge, type SlackBridge } from '../../bridges/slack/index.js';
import { slackDestinationConfig } from '../../bridges/slack/web.js';
import type { Config } from './config-schema.js';
import type { BridgeState, TeamBridge } from '../core/bridge.js';
import { EffectRunner } from '../core/effect-runner.js';
import { createAtomicIngest, createIngest, type IngestFn } from '../core/ingress.js';
import { JournalPlanner } from '../core/journal-planner.js';
import type { BridgeId, TeamBridgeId } from '../core/model.js';
import { createReactionTable } from '../core/reactions.js';
import { createRouter } from '../core/router.js';
import { createEffectMetrics, createRouterMetrics } from '../core/metrics.js';
import type { RouteSpec } from '../core/routes.js';
import { DEFAULT_BUCKET_LIMITS, resolveDefaultDestination } from '../queue/default-limits.js';
import type { SendQueues } from '../queue/send-queue-types.js';
import { createSendQueues } from '../queue/send-queues.js';
import { StoredPauses } from '../core/stored-pauses.js';
import { phoneTextOrderOf } from '../core/effect-ops.js';
import { createHttpServer, errorBody, type RawHandler } from '../server/http-server.js';
import { mountQueueRoutes } from '../server/queue-routes.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import type { SenderInfo, SenderLease } from '../store/pg-sender-lease.js';
import type { createPgPool, PgConnectionOptions } from '../store/pg-store.js';
import type { Store } from '../store/store.js';
import { replicaName } from './replica-name.js';

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
  /** Backoff of effects after a transient failure; tests shorten it. Default 1 s doubling to 2 min. */
  readonly effectRetry?: { readonly baseMs: number; readonly capMs: number };
  /** How long a destination fails before /readyz reports it degraded. Default a minute; tests shorten it. */
  readonly degradedAfterMs?: number;
  /**
   * After a start, how long customer texts wait before they are posted, so that webhooks refused while the process
   * was down (messages.dev sends them again) take their places in order. Default 2 s.
   */
  readonly orderSettleMs?: number;
  /** How long a messages.dev send in doubt is looked for before it counts as not sent; tests shorten it. */
  readonly reconcileWindowMs?: number;
  /**
   * Told when the process must end because it can no longer work safely (PostgreSQL: this replica lost the
   * sender role, or another replica took it over). The daemon exits 1; a supervisor restarts it as a standby.
   */
  readonly onFatal?: (error: Error) => void;
  /** This replica's name with PostgreSQL (default: host name and pid); tests name theirs. */
  readonly replica?: string;
  /** How often a standby replica tries to become the sender (ms). Default 1 s. */
  readonly senderTryEveryMs?: number;
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
/** Long enough for a refused webhook's first redelivery; a few seconds of latency after a restart only. */
const defaultOrderSettleMs = 2_000;
/** A destination failing this long is reported as degraded by /readyz. */
const defaultDegradedAfterMs = 60_000;

/**
 * The PostgreSQL parts, loaded only for a PostgreSQL store: `pg` alone adds about 15 MB of RSS when imported,
 * which a daemon on the embedded store never needs.
 */
async function loadPg() {
  const [store, ingress, lease] = await Promise.all([
    import('../store/pg-store.js'),
    import('../store/pg-journal-once.js'),
    import('../store/pg-sender-lease.js'),
  ]);
  return { ...store, ...ingress, ...lease };
}

function pgOptions(url: string, schema: string | undefined): PgConnectionOptions {
  return schema === undefined ? { url } : { url, schema };
}

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
  const senderGauge = new Gauge({
    name: 'threadline_sender',
    help: 'With PostgreSQL: 1 when this replica is the sender (executes effects), 0 for a standby',
    labelNames: ['replica'],
    registers: [registry],
  });

  const imessageDestinations = imessageDestinationConfig(config.imessage);
  const pauses = new StoredPauses();
  const queues: SendQueues = createSendQueues({
    pauses,
    log: log.child({ component: 'queue' }),
    registry,
    buckets: {
      [apiKeyBucket]: {
        limit: { ...DEFAULT_BUCKET_LIMITS.imessageApiKey, count: config.imessage.hourlyRequestBudget },
      },
      ...discordBuckets,
    },
    // Blips are retried here, in the queue; anything longer is the effect runner's (it keeps the effect).
    retry: { baseMs: 500, capMs: 5_000, maxAttempts: 3 },
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
  /** Loaded once the config names a PostgreSQL store. */
  let pgParts: Awaited<ReturnType<typeof loadPg>> | undefined;
  let phone: ImessageBridge | undefined;
  const teams: Partial<Record<TeamBridgeId, TeamBridge>> = {};
  let runner: EffectRunner | undefined;
  let stopping: Promise<void> | undefined;
  let stopWork: () => Promise<void> = async () => {};
  let senderLease: SenderLease | undefined;
  let standby: AbortController | undefined;
  let standbyPool:
    | {
        pool: ReturnType<typeof createPgPool>;
        timer: ReturnType<typeof setInterval>;
        slack?: SlackBridge;
        slackStarted?: Promise<void> | undefined;
      }
    | undefined;

  const stateOf = (bridge: BridgeId): BridgeState | undefined =>
    bridge === 'imessage' ? phone?.state() : teams[bridge]?.state();
  const readiness = () => ({
    ...(role.store === 'postgres' ? { extra: { replica: replicaReport() } } : {}),
    // A standby connects to no platform: it is ready when it can take ingress.
    platforms:
      role.sender === false
        ? {}
        : {
            imessage: phone?.state() ?? 'starting',
            ...(config.slack ? { slack: teams.slack?.state() ?? 'starting' } : {}),
            ...(config.discord ? { discord: teams.discord?.state() ?? 'starting' } : {}),
          },
    degraded: (runner?.stats() ?? []).flatMap((entry) =>
      entry.failingSince !== undefined && now() - entry.failingSince >= (deps.degradedAfterMs ?? defaultDegradedAfterMs)
        ? [
            {
              destination: entry.destination,
              failingForSeconds: Math.round((now() - entry.failingSince) / 1000),
              pending: entry.pending,
              reason: entry.lastError?.message ?? 'failing',
            },
          ]
        : [],
    ),
  });
  /** Which part this process plays: with PostgreSQL, one replica sends and the others take ingress. */
  const role: {
    store: 'lowdb' | 'postgres';
    name?: string;
    sender?: boolean;
    currentSender?: SenderInfo;
  } = { store: config.store.url === undefined ? 'lowdb' : 'postgres' };
  /** /readyz: this replica's name and role, and which replica sends. */
  const replicaReport = () => ({
    name: role.name,
    role: role.sender === undefined ? 'starting' : role.sender ? 'sender' : 'standby',
    sender: role.sender ? { replica: role.name, epoch: senderLease?.epoch } : role.currentSender,
  });
  /** What the ingress routes call now: a standby's database ingress, then the sender's. */
  const handlers: { webhook?: RawHandler; slack?: RawHandler } = {};
  const notYet: RawHandler = async () => ({
    status: 503,
    body: errorBody('starting', 'Threadline is not ready for this yet; deliver again shortly'),
  });
  const server = createHttpServer({
    host: config.server.host,
    port: config.server.port,
    bodyLimitBytes: config.server.bodyLimitBytes,
    log: log.child({ component: 'http' }),
    registry,
    readiness,
  });

  async function loadPgParts() {
    pgParts ??= await loadPg();
    return pgParts;
  }

  /** Opens the bridges on `openStore`, replays the journal and starts the effects: the sender's part. */
  async function startWork(openStore: Store): Promise<void> {
    store = openStore;
    const pgStore = pgParts && openStore instanceof pgParts.PgStore ? openStore : undefined;
    pauses.attach(openStore.cursors);
    queues.restorePauses();
    phone = createImessageBridge({
      config: config.imessage,
      lines: config.routes.map((route) => route.line),
      queues,
      cursors: store.cursors,
      log,
      now,
      isLinkedOutbox: (outboxId) => openStore.links.findByOutboxId(outboxId) !== undefined,
      ...(deps.reconcileWindowMs !== undefined ? { reconcileWindowMs: deps.reconcileWindowMs } : {}),
    });
    const recent = (team: TeamBridgeId) => (sinceMs: number) =>
      openStore.conversations
        .list()
        .filter((conversation) => conversation.lastActivityAt >= sinceMs)
        .flatMap((conversation) => (conversation.threads[team] ? [conversation.threads[team]] : []));
    if (config.slack) {
      const slack = createSlackBridge({
        config: config.slack,
        queues,
        log,
        now,
        recentThreads: recent('slack'),
        channels: config.routes.flatMap((route) => (route.slack ? [route.slack.channel] : [])),
        isLinkedThread: (channel, ts) => openStore.conversations.findByThread('slack', channel, ts) !== undefined,
        cursors: store.cursors,
        ...(deps.slackPingTimeoutMs ? { clientPingTimeoutMs: deps.slackPingTimeoutMs } : {}),
      });
      teams.slack = slack;
      if (slack.httpHandler) handlers.slack = slack.httpHandler;
    }
    if (config.discord) {
      teams.discord = createDiscordBridge({
        config: config.discord,
        queues,
        log,
        now,
        channels: config.routes.flatMap((route) => (route.discord ? [route.discord.channel] : [])),
        isConversationThread: (parent, thread) =>
          openStore.conversations.findByThread('discord', parent, thread) !== undefined,
        cursors: store.cursors,
        pauses,
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
    const effects: EffectRunner = new EffectRunner({
      store: openStore,
      apply: (effect, replay) => router.apply(effect, replay),
      bridgesOf: (effect) => router.bridgesOf(effect),
      orderOf: (effect) => phoneTextOrderOf(effect.op),
      // A store with no conversation has had no earlier process that could have refused a delivery.
      orderSettleMs: openStore.conversations.size > 0 ? (deps.orderSettleMs ?? defaultOrderSettleMs) : 0,
      isReady: (bridge) => stateOf(bridge) === 'connected',
      onDead: (effect, reason) => {
        router.afterFailure(effect, reason);
        // A thread that will now never be created: events waiting for it are let go.
        planner.retryParked();
      },
      log: log.child({ component: 'effects' }),
      maxAgeMs: config.delivery.maxAgeHours * 3_600_000,
      now,
      ...(deps.effectRetry ? { retry: deps.effectRetry } : {}),
      events: createEffectMetrics(registry, () => effects.stats(), now),
    });
    runner = effects;
    const router = createRouter({
      store,
      phone,
      teams,
      routes: routeSpecs(config),
      reactions: createReactionTable({
        unmapped: config.reactions.unmapped,
        ...(config.reactions.emoji ? { tapbackToEmoji: config.reactions.emoji } : {}),
      }),
      effects,
      ...(deps.pollScheduleMs ? { pollScheduleMs: deps.pollScheduleMs } : {}),
      log: log.child({ component: 'router' }),
      now,
      metrics: createRouterMetrics(registry, () => openStore.journal.size, now),
      onThreadLinked: () => planner.retryParked(),
    });
    const planner = new JournalPlanner({
      journal: store.journal,
      plan: (ingress) => router.plan(ingress),
      log,
    });
    const ingest: IngestFn = pgStore
      ? createAtomicIngest(pgStore, { onJournaled: () => planner.planPending() })
      : createIngest(
          {
            claim: (key, ttlMs) => openStore.dedupe.claim(key, ttlMs),
            append: (item) => openStore.journal.append(item),
            commit: () => openStore.commit(),
          },
          { onAppended: () => planner.planPending() },
        );
    // Entries other replicas journal reach this one's journal, and are planned at once.
    if (pgStore) pgStore.follow(() => planner.planPending());
    handlers.webhook = phone.webhookHandler(ingest);
    const replayed = planner.planPending();
    if (replayed > 0) log.info({ count: replayed }, 'Replayed journal');
    // Effects wait, lane by lane, until the bridges they call are connected.
    effects.start();
    await phone.start(ingest);
    await Promise.all(Object.values(teams).map((team) => team.start(ingest)));
    stopWork = async () => {
      planner.freeze();
      // Give running effects a bounded time to finish; the rest stays pending for the next start.
      const drained = await effects.stop(deps.drainTimeoutMs ?? defaultDrainTimeoutMs);
      if (!drained) {
        log.warn({ running: effects.running }, 'Stopping with effects in flight; they resume on the next start');
      }
      queues.close();
      // What was waiting in a queue now ends (and stays pending); let it settle before the store closes.
      await effects.stop(1_000);
    };
  }

  /** This replica took the sender role: the whole store, fenced by the role's epoch, and the work. */
  async function startSender(pg: PgConnectionOptions, lease: SenderLease): Promise<void> {
    senderLease = lease;
    role.sender = true;
    senderGauge.set({ replica: role.name ?? '' }, 1);
    void lease.lost.then((why) => fatal(why));
    const { PgStore } = await loadPgParts();
    const openStore = await PgStore.open({
      ...pg,
      linkRetentionDays: config.store.retentionDays,
      logger: log.child({ component: 'store' }),
      fence: { epoch: lease.epoch, onFenced: (error) => fatal(error) },
    });
    await stopStandby();
    await startWork(openStore);
  }

  /** Not the sender (yet): deliveries go straight into the database for the sender to plan. */
  async function startStandby(pg: PgConnectionOptions): Promise<void> {
    role.sender = false;
    senderGauge.set({ replica: role.name ?? '' }, 0);
    const { createPgPool, PgIngress, readSender } = await loadPgParts();
    const pool = createPgPool({ ...pg, poolSize: 4 });
    pool.on('error', (error) => log.warn({ err: error }, 'PostgreSQL connection lost'));
    const ingress = new PgIngress(pool, now);
    const ingest = createAtomicIngest(ingress);
    let slackStarted: Promise<void> | undefined;
    handlers.webhook = createImessageWebhookHandler({ secret: config.imessage.webhookSecret, now, ingest });
    // Slack hands each event to one of the app's Socket Mode connections: every replica holds one and journals
    // what it gets before acknowledging it. The Discord Gateway stays with the sender (docs/replicas.md).
    const slack = config.slack
      ? createSlackBridge({
          config: config.slack,
          queues,
          log,
          now,
          ...(deps.slackPingTimeoutMs ? { clientPingTimeoutMs: deps.slackPingTimeoutMs } : {}),
        })
      : undefined;
    if (slack) {
      if (slack.httpHandler) handlers.slack = slack.httpHandler;
      // Webhook ingress must not wait on Slack: a replica whose Slack connection fails still takes webhooks, and
      // Slack hands the events to the other replicas' connections.
      slackStarted = slack
        .start(ingest)
        .catch((error: unknown) =>
          log.error(
            { err: error, replica: role.name },
            'This standby could not connect to Slack; the others take its events',
          ),
        );
    }
    const refresh = async () => {
      role.currentSender = await readSender(pool).catch(() => role.currentSender);
    };
    await refresh();
    const timer = setInterval(() => void refresh(), 2_000);
    timer.unref();
    standbyPool = { pool, timer, ...(slack ? { slack, slackStarted } : {}) };
    log.info(
      { replica: role.name, sender: role.currentSender?.replica },
      'This replica is a standby: it takes ingress',
    );
  }

  async function stopStandby(): Promise<void> {
    if (!standbyPool) return;
    clearInterval(standbyPool.timer);
    const { pool, slack, slackStarted } = standbyPool;
    standbyPool = undefined;
    role.currentSender = undefined;
    // The sender's own Slack bridge replaces it; until then Slack re-sends what nobody acknowledged.
    delete handlers.slack;
    // A connection still being made is let finish, then closed (stopping before would leave it open).
    await slackStarted;
    await slack?.stop();
    await pool.end().catch(() => undefined);
  }

  /** The process must not go on (a lost sender role): stop sending at once and let the supervisor restart it. */
  function fatal(error: unknown): void {
    if (stopping) return;
    const why = error instanceof Error ? error : new Error(String(error));
    log.fatal({ err: why }, 'Cannot go on safely; stopping');
    queues.close();
    deps.onFatal?.(why);
  }

  return {
    registry,
    get store() {
      return store;
    },
    async start() {
      // Routes exist before the server listens; until this process does the work they answer 503.
      server.addRawRoute('POST', '/webhooks/imessage', (request) => (handlers.webhook ?? notYet)(request));
      if (config.slack && config.slack.appToken === undefined) {
        server.addRawRoute('POST', '/slack/events', (request) => (handlers.slack ?? notYet)(request));
      }
      mountQueueRoutes(server, {
        runner: {
          stats: () => runner?.stats() ?? [],
          requeue: (id) => runner?.requeue(id) ?? false,
        },
        unavailable: () =>
          role.sender === false
            ? `replica ${role.name ?? '?'} is a standby: the sender${
                role.currentSender ? ` (replica ${role.currentSender.replica})` : ''
              } holds the queue; run threadline queue against it`
            : store
              ? undefined
              : 'Threadline is starting; ask again shortly',
        store: {
          get effects() {
            if (!store) throw new Error('The store is not open yet');
            return store.effects;
          },
          commit: () => store?.commit() ?? Promise.resolve(),
        },
        now,
      });
      const pg = config.store.url === undefined ? undefined : pgOptions(config.store.url, config.store.schema);
      if (!pg) {
        await startWork(
          await openLowdbStore({
            path: config.store.path,
            linkRetentionDays: config.store.retentionDays,
            logger: log.child({ component: 'store' }),
          }),
        );
        return server.listen();
      }
      // PostgreSQL: every replica migrates (under a lock) and takes ingress; one sends.
      const { preparePgSchema, trySenderLease, acquireSenderLease } = await loadPgParts();
      await preparePgSchema(pg);
      role.name = deps.replica ?? replicaName();
      const leaseOptions = {
        ...pg,
        replica: role.name,
        tryEveryMs: deps.senderTryEveryMs ?? 1000,
        log: log.child({ component: 'sender' }),
        now,
      };
      const lease = await trySenderLease(leaseOptions);
      if (lease) {
        await startSender(pg, lease);
        return server.listen();
      }
      await startStandby(pg);
      const url = await server.listen();
      standby = new AbortController();
      // A takeover that cannot start its work (a platform refusing at that moment) ends the process like a
      // lost role: the supervisor restarts it, and the lease goes with the connection.
      void acquireSenderLease(leaseOptions, standby.signal)
        .then((won) => (stopping ? won.release() : startSender(pg, won)))
        .catch((error: unknown) => {
          if (!standby?.signal.aborted && !stopping) fatal(error);
        });
      return url;
    },
    stop() {
      stopping ??= (async () => {
        standby?.abort();
        await server.close();
        await stopWork();
        queues.close();
        await phone?.stop();
        await Promise.all(Object.values(teams).map((team) => team.stop()));
        await stopStandby();
        try {
          await store?.close();
        } finally {
          // Last: another replica takes over only once this one's commits are in.
          await senderLease?.release();
        }
      })();
      return stopping;
    },
  };
}
