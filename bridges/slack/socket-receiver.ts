import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient, type SocketModeOptions } from '@slack/socket-mode';
import type { Logger } from 'pino';
import { boltLogger } from './bolt-logger.js';

/** How a listener tells the receiver that an event could not be journaled (so it must not be acked). */
export interface JournalOutcomes {
  /** The listener could not make the event durable: Slack must send it again. */
  failed(body: unknown): void;
}

/**
 * bolt's Receiver for Socket Mode, over @slack/socket-mode, that acknowledges an envelope only after the
 * listeners ran, that is after the event was journaled. bolt's own SocketModeReceiver acks Events API
 * envelopes before the listeners run, so a crash in between would lose an event Slack considers delivered.
 * An envelope whose event could not be journaled is not acked: Slack sends it again.
 */
export class SlackSocketReceiver implements Receiver, JournalOutcomes {
  readonly client: SocketModeClient;
  readonly #log: Logger;
  readonly #failed = new WeakSet<object>();
  #app: App | undefined;

  constructor(options: {
    appToken: string;
    clientPingTimeoutMs: number;
    log: Logger;
    clientOptions?: SocketModeOptions['clientOptions'];
  }) {
    this.#log = options.log;
    this.client = new SocketModeClient({
      appToken: options.appToken,
      clientPingTimeout: options.clientPingTimeoutMs,
      logger: boltLogger(options.log),
      ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
    });
    this.client.on('slack_event', (args: SocketEventArgs) => {
      void this.#handle(args);
    });
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<unknown> {
    return this.client.start();
  }

  async stop(): Promise<unknown> {
    return this.client.disconnect();
  }

  failed(body: unknown): void {
    if (typeof body === 'object' && body !== null) this.#failed.add(body);
  }

  async #handle(args: SocketEventArgs): Promise<void> {
    const app = this.#app;
    if (!app) return;
    let acked = false;
    let response: unknown;
    const event: ReceiverEvent = {
      body: args.body,
      // bolt calls this before the listeners for Events API envelopes: only note it; the ack goes out below.
      ack: async (body?: unknown) => {
        acked = true;
        response = body;
      },
      ...(args.retry_num !== undefined ? { retryNum: args.retry_num } : {}),
      ...(args.retry_reason !== undefined ? { retryReason: args.retry_reason } : {}),
    };
    try {
      await app.processEvent(event);
    } catch (error) {
      this.#log.error({ err: error, envelope_id: args.envelope_id }, 'Slack event failed');
      return;
    }
    if (this.#failed.has(args.body)) {
      this.#log.warn(
        { envelope_id: args.envelope_id },
        'Slack event not journaled; not acknowledged, so Slack resends it',
      );
      return;
    }
    if (!acked) return;
    try {
      await args.ack(response);
    } catch (error) {
      // The connection went away: Slack resends the envelope, and dedupe makes the second copy harmless.
      this.#log.warn({ err: error, envelope_id: args.envelope_id }, 'Could not acknowledge a Slack envelope');
    }
  }
}

/** What @slack/socket-mode emits as `slack_event`. */
interface SocketEventArgs {
  readonly ack: (response?: unknown) => Promise<void>;
  readonly envelope_id: string;
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly retry_num?: number;
  readonly retry_reason?: string;
}
