import type { Logger } from 'pino';
import type { IngestFn } from '../../src/core/ingress.js';
import { SignatureError } from '../../src/core/errors.js';
import { errorBody, type RawHandler, type RawResponse } from '../../src/server/http-server.js';
import { MalformedDeliveryError, parseDelivery } from './inbound.js';
import type { StartupGate } from './startup-gate.js';
import { verifyWebhookSignature } from './webhook.js';

export interface WebhookHandlerOptions {
  readonly secret: string;
  readonly now: () => number;
  readonly ingest: IngestFn;
  /** Holds deliveries until the start-up backfill is in (see StartupGate); absent: never held. */
  readonly gate?: StartupGate;
}

/**
 * `POST /webhooks/imessage`. Order matters: content type, then the signature over the raw bytes, then
 * JSON, then the body's timestamp against the signed one, then the event. Bad input changes nothing.
 */
export function createImessageWebhookHandler(options: WebhookHandlerOptions): RawHandler {
  return async ({ rawBody, headers, log }): Promise<RawResponse> => {
    const contentType = String(headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (contentType !== 'application/json') {
      return reject(log, 415, 'unsupported_media_type', 'expected Content-Type: application/json');
    }
    let signedAt: number;
    try {
      signedAt = verifyWebhookSignature({
        rawBody,
        signature: header(headers['x-webhook-signature']),
        timestamp: header(headers['x-webhook-timestamp']),
        secret: options.secret,
        now: options.now,
      });
    } catch (error) {
      if (error instanceof SignatureError) return reject(log, 401, error.code, error.message);
      throw error;
    }
    let parsed;
    try {
      parsed = parseDelivery(rawBody);
    } catch (error) {
      if (error instanceof MalformedDeliveryError) return reject(log, 400, 'malformed_body', error.message);
      throw error;
    }
    const { envelope } = parsed;
    if (envelope.timestamp !== signedAt) {
      return reject(log, 401, 'signature_invalid', 'body timestamp differs from X-Webhook-Timestamp');
    }
    const ids = { bridge: 'imessage', event: envelope.event, delivery_id: envelope.delivery_id };
    if (parsed.kind === 'unknown-event') {
      log.debug(ids, 'Ignored webhook event of unknown type');
      return { status: 202, body: { ok: true, ignored: true } };
    }
    const { event } = parsed.ingress;
    const passed = options.gate?.pass() ?? true;
    if (passed !== true && !(await passed)) {
      // Not processed: messages.dev delivers it again, by when the backfill is in.
      log.info({ ...ids, status: 503 }, 'Webhook deferred until the start-up backfill is in');
      return { status: 503, body: errorBody('starting', 'catching up after a restart; deliver again'), logged: true };
    }
    const outcome = await options.ingest(parsed.ingress, log);
    // The request's one line: what came, and what became of it.
    log.info(
      {
        ...ids,
        message_id: event.origin.messageId,
        conversation: event.origin.conversation?.chat,
        line: event.origin.conversation?.line,
        outcome,
      },
      outcome === 'duplicate' ? 'Webhook already processed' : 'Webhook accepted',
    );
    return { status: 200, body: { ok: true, ...(outcome === 'duplicate' ? { duplicate: true } : {}) }, logged: true };
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reject(log: Logger, status: number, code: string, message: string): RawResponse {
  log.warn({ bridge: 'imessage', status, code }, 'Webhook rejected');
  return { status, body: errorBody(code, message) };
}
