import { createHmac } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { headerRecord } from '../shared/http-io.js';
import { newDeliveryId } from './ids.js';
import type { Recorder } from '../shared/recorder.js';
import type { SimState } from './state.js';
import type { RecordedDelivery, SimWebhook, WebhookEvent } from './types.js';

export interface DispatcherDeps {
  state: SimState;
  recorder: Recorder<RecordedDelivery>;
  emitter: EventEmitter;
  now: () => number;
  retries: number;
  /** Delay before each retry (the last value repeats); undefined: 100 ms doubling. */
  retryDelaysMs: readonly number[] | undefined;
  timeoutMs: number;
  /** Aborted when the simulator closes, so no delivery outlives it. */
  signal: AbortSignal;
}

/** §4.4: lowercase hex HMAC-SHA256 of `${timestamp}.${rawBody}` keyed by the webhook secret. */
export function signWebhookBody(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

const RETRY_BASE_MS = 100;

/** Posts signed webhook deliveries the way messages.dev does, and records every attempt. */
export class WebhookDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /**
   * Delivers an event to every active webhook of the line subscribed to it; resolves with the final attempts.
   * close() waits for it (pending retries are cancelled).
   */
  dispatch(lineId: string, event: WebhookEvent, data: Record<string, unknown>): Promise<RecordedDelivery[]> {
    const targets = this.#deps.state.webhooks.filter(
      (webhook) => webhook.is_active && webhook.line_ids.includes(lineId) && webhook.events.includes(event),
    );
    const promise = Promise.all(
      targets.map((webhook) => this.#deliverWithRetries(webhook, event, data, newDeliveryId())),
    );
    const tracked = promise.finally(() => this.#pending.delete(tracked));
    tracked.catch(() => undefined);
    this.#pending.add(tracked);
    return promise;
  }

  /** Fire-and-forget dispatch for events raised by timers (outbox); close() waits for them. */
  dispatchInBackground(lineId: string, event: WebhookEvent, data: Record<string, unknown>): void {
    this.dispatch(lineId, event, data).catch(() => undefined);
  }

  /** Posts a recorded delivery again with the same delivery_id, a fresh timestamp and a fresh signature. */
  async replay(deliveryId: string): Promise<RecordedDelivery> {
    const records = this.#deps.recorder.items.filter((record) => record.deliveryId === deliveryId);
    const first = records[0];
    if (!first) throw new Error(`No delivery ${deliveryId} was recorded`);
    const webhook = this.#deps.state.webhooks.find((candidate) => candidate.id === first.webhookId);
    if (!webhook) throw new Error(`Webhook ${first.webhookId} of delivery ${deliveryId} no longer exists`);
    const parsed = JSON.parse(first.body) as { data: Record<string, unknown> };
    const attempt = Math.max(...records.map((record) => record.attempt)) + 1;
    return this.#post(webhook, first.event, parsed.data, deliveryId, attempt);
  }

  /** Resolves once every background delivery has settled. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  async #deliverWithRetries(
    webhook: SimWebhook,
    event: WebhookEvent,
    data: Record<string, unknown>,
    deliveryId: string,
  ): Promise<RecordedDelivery> {
    let record = await this.#post(webhook, event, data, deliveryId, 1);
    for (let retry = 1; retry <= this.#deps.retries && !isSuccess(record) && !this.#deps.signal.aborted; retry++) {
      await delay(this.#retryDelay(retry), this.#deps.signal);
      if (this.#deps.signal.aborted) break;
      record = await this.#post(webhook, event, data, deliveryId, retry + 1);
    }
    return record;
  }

  /** The wait before retry number `retry` (1-based). */
  #retryDelay(retry: number): number {
    const delays = this.#deps.retryDelaysMs;
    if (delays === undefined) return RETRY_BASE_MS * 2 ** (retry - 1);
    return delays[Math.min(retry, delays.length) - 1] ?? 0;
  }

  async #post(
    webhook: SimWebhook,
    event: WebhookEvent,
    data: Record<string, unknown>,
    deliveryId: string,
    attempt: number,
  ): Promise<RecordedDelivery> {
    const timestamp = this.#deps.now();
    const body = JSON.stringify({ event, data, timestamp, delivery_id: deliveryId });
    const headers = new Headers({
      'Content-Type': 'application/json',
      'User-Agent': 'messages-dev-simulator',
      'X-Webhook-Signature': signWebhookBody(webhook.secret, timestamp, body),
      'X-Webhook-Timestamp': String(timestamp),
      'X-Webhook-Delivery-Id': deliveryId,
    });
    let status: number | 'error';
    let error: string | undefined;
    try {
      const signal = AbortSignal.any([this.#deps.signal, AbortSignal.timeout(this.#deps.timeoutMs)]);
      const response = await fetch(webhook.url, { method: 'POST', headers, body, signal });
      await response.arrayBuffer();
      status = response.status;
    } catch (cause) {
      status = 'error';
      error = describeFailure(cause);
    }
    const record: RecordedDelivery = {
      deliveryId,
      event,
      webhookId: webhook.id,
      url: webhook.url,
      body,
      headers: headerRecord(headers),
      status,
      attempt,
      at: this.#deps.now(),
      ...(error === undefined ? {} : { error }),
    };
    this.#deps.recorder.push(record);
    this.#deps.emitter.emit('delivery', record);
    return record;
  }
}

function isSuccess(record: RecordedDelivery): boolean {
  return typeof record.status === 'number' && record.status >= 200 && record.status < 300;
}

function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
