import { setMaxListeners, type EventEmitter } from 'node:events';
import { Outage } from '../shared/outage.js';
import { cancelAllWaits, Recorder } from '../shared/recorder.js';
import { TimerSet } from '../shared/timers.js';
import type { SlackSimConfig } from './config.js';
import { EventDispatcher } from './delivery.js';
import { TsClock } from './ids.js';
import { RateLimiter } from './rate-limiter.js';
import { SocketModeHub } from './socket-mode.js';
import { SlackState } from './state.js';
import type {
  MissedEvent,
  RecordedAck,
  RecordedCall,
  RecordedConnection,
  RecordedDelivery,
  RecordedDownload,
  SimMessage,
  SlackFault,
  SlackSimEvents,
} from './types.js';

/** How long close() lets Socket Mode connections finish their close handshake before cutting them. */
const SOCKET_CLOSE_GRACE_MS = 250;

/** A file announced by files.getUploadURLExternal, until files.completeUploadExternal shares it. */
export interface PendingUpload {
  fileId: string;
  filename: string;
  length: number;
  uploadToken: string;
  data: Buffer | undefined;
}

/** Where a slash command's response_url posts to. */
export interface CommandTarget {
  channel: string;
  user: string;
}

/** The shared innards of the simulator: config, clock, state, recorders, delivery, timers. */
export class SlackCore {
  readonly config: SlackSimConfig;
  readonly state: SlackState;
  readonly calls = new Recorder<RecordedCall>(
    (c) => `${c.method} ${c.status} ${typeof c.response['error'] === 'string' ? c.response['error'] : 'ok'}`,
  );
  readonly violations = new Recorder<RecordedCall>((c) => `${c.method} ${c.status}`);
  readonly acks = new Recorder<RecordedAck>((a) => a.envelopeId);
  readonly deliveries = new Recorder<RecordedDelivery>(
    (d) => `${d.kind} ${d.eventId ?? d.envelopeId ?? ''} #${d.retryAttempt} ${d.status}`,
  );
  readonly missed = new Recorder<MissedEvent>((m) => `${m.eventId} ${m.reason}`);
  readonly connections = new Recorder<RecordedConnection>(
    (c) => `#${c.id}${c.closedAt === undefined ? '' : ' closed'}`,
  );
  readonly downloads = new Recorder<RecordedDownload>((d) => `${d.fileId} ${d.status}`);
  readonly outage = new Outage<RecordedCall>((c) => `${c.method} ${c.status}`);
  readonly hub: SocketModeHub;
  readonly limiter: RateLimiter | undefined;
  readonly dispatcher: EventDispatcher;
  readonly uploads = new Map<string, PendingUpload>();
  readonly commandTargets = new Map<string, CommandTarget>();
  readonly faults: Array<SlackFault & { remaining: number }> = [];
  /** Unix seconds at start: the channels' and bot's creation time. */
  readonly createdSec: number;
  origin = '';
  httpEventsUrl: string | undefined;
  readonly #emitter: EventEmitter;
  readonly #clock: TsClock;
  readonly #timers = new TimerSet();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #closing = new AbortController();

  constructor(config: SlackSimConfig, emitter: EventEmitter) {
    // Every delivery in flight listens for the close: a burst has more than the default ten at once.
    setMaxListeners(0, this.#closing.signal);
    this.config = config;
    this.#emitter = emitter;
    this.#clock = new TsClock(config.now);
    this.createdSec = Math.floor(config.now() / 1000);
    this.httpEventsUrl = config.httpEventsUrl;
    this.state = new SlackState(config, this.createdSec, (message) => this.authorOf(message));
    this.limiter = config.postMessageLimit === false ? undefined : new RateLimiter(config.postMessageLimit);
    this.hub = new SocketModeHub({
      now: config.now,
      ackTimeoutMs: config.ackTimeoutMs,
      maxResends: config.socketMaxResends,
      appId: config.bot.appId,
      acks: this.acks,
      connections: this.connections,
      onConnectionChange: (connection) => this.emit('connection', connection),
      onAck: (ack) => this.emit('ack', ack),
    });
    this.dispatcher = new EventDispatcher(this);
  }

  now(): number {
    return this.config.now();
  }

  nowSec(): number {
    return Math.floor(this.config.now() / 1000);
  }

  /** A fresh, strictly increasing message timestamp. */
  nextTs(): string {
    return this.#clock.next();
  }

  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  emit<K extends keyof SlackSimEvents>(name: K, payload: SlackSimEvents[K]): void {
    this.#emitter.emit(name, payload);
  }

  /** Who a message counts as written by (reply_users, parent_user_id, item_user): its user, else our bot user. */
  authorOf(message: SimMessage): string | undefined {
    if (message.user !== undefined) return message.user;
    if (message.bot_id === this.config.bot.botId) return this.config.bot.userId;
    return message.bot_id;
  }

  /** Runs `fn` after `ms` unless the simulator closes first. */
  schedule(ms: number, fn: () => void): void {
    this.#timers.schedule(ms, fn);
  }

  /** Keeps a background promise (HTTP deliveries) so close() can wait for it. */
  track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** Stops timers, sockets and deliveries, and fails pending waits. */
  async shutdown(): Promise<void> {
    this.#closing.abort();
    this.#timers.clear();
    await Promise.all([this.hub.close(SOCKET_CLOSE_GRACE_MS), Promise.allSettled([...this.#inFlight])]);
    cancelAllWaits(
      [this.calls, this.violations, this.acks, this.deliveries, this.missed, this.connections, this.downloads],
      'The Slack simulator was closed',
    );
  }
}
