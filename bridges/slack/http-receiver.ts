import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { SignatureError } from '../../src/core/errors.js';
import type { RawHandler, RawResponse } from '../../src/server/http-server.js';
import { verifySlackSignature } from './signature.js';
import type { JournalOutcomes } from './socket-receiver.js';

/**
 * bolt's Receiver for the HTTP Events API, mounted on Threadline's own server at `POST /slack/events`
 * (one port for everything). Unlike bolt's HTTPReceiver it answers only after the listeners ran, so an
 * event is journaled before Slack hears 200, well inside Slack's 3 seconds; one that could not be
 * journaled gets a 500, and Slack sends it again.
 */
export class SlackHttpReceiver implements Receiver, JournalOutcomes {
  readonly #failed = new WeakSet<object>();
  #app: App | undefined;

  constructor(private readonly options: { signingSecret: string; now: () => number; log: Logger }) {}

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  failed(body: unknown): void {
    if (typeof body === 'object' && body !== null) this.#failed.add(body);
  }

  readonly handler: RawHandler = async ({ rawBody, headers }): Promise<RawResponse> => {
    try {
      verifySlackSignature({
        rawBody,
        timestamp: single(headers['x-slack-request-timestamp']),
        signature: single(headers['x-slack-signature']),
        secret: this.options.signingSecret,
        now: this.options.now,
      });
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      this.options.log.warn({ bridge: 'slack', code: error.code }, 'Slack request rejected');
      return { status: 401, body: '' };
    }
    const body = parseBody(rawBody, single(headers['content-type']));
    if (!body) return { status: 400, body: '' };
    if (body['ssl_check']) return { status: 200, body: '' };
    if (body['type'] === 'url_verification') return { status: 200, body: { challenge: body['challenge'] } };
    const app = this.#app;
    if (!app) return { status: 503, body: '' };
    let acked: unknown;
    const retryNum = Number(single(headers['x-slack-retry-num']) ?? NaN);
    const retryReason = single(headers['x-slack-retry-reason']);
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        acked = response;
      },
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
    };
    await app.processEvent(event);
    // Not journaled: a 500 makes Slack send it again (up to three times).
    if (this.#failed.has(body)) return { status: 500, body: '' };
    if (acked === undefined || acked === '') return { status: 200, body: '' };
    return { status: 200, body: typeof acked === 'string' ? { text: acked } : acked };
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Slack sends events as JSON, commands as a flat form, interactivity as a form with one `payload` field. */
function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      return typeof form['payload'] === 'string' ? (JSON.parse(form['payload']) as Record<string, unknown>) : form;
    }
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
