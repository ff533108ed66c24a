import type { SlackCore } from './core.js';
import { parseAnswer, postToApp, retryReasonOf, type HttpPostResult } from './http-events.js';
import { newEnvelopeId, newEventId } from './ids.js';
import type { SocketEnvelope } from './socket-mode.js';
import type { DeliveryOutcome, MissedReason, RecordedDelivery } from './types.js';

/** The verification token Slack still puts in payloads (deprecated; apps should check signatures). */
export const VERIFICATION_TOKEN = 'sim-verification-token';

interface StoredEvent {
  payload: Record<string, unknown>;
  /** The highest retry number used so far (Socket Mode retry_attempt / HTTP X-Slack-Retry-Num). */
  lastAttempt: number;
}

/** What a slash command delivery returns: the envelope (Socket Mode) and the ack to come. */
export interface CommandDelivery {
  envelopeId: string | undefined;
  ack: Promise<unknown>;
}

/**
 * Delivers events and slash commands the way Slack does in the configured mode, records every attempt and
 * keeps what never arrived in `missed`.
 */
export class EventDispatcher {
  readonly #core: SlackCore;
  readonly #events = new Map<string, StoredEvent>();

  constructor(core: SlackCore) {
    this.#core = core;
  }

  /** Wraps `event` in an event_callback with a new event_id and delivers it. */
  async deliverEvent(event: Record<string, unknown>): Promise<DeliveryOutcome> {
    const eventId = newEventId();
    const payload = this.#eventCallback(eventId, event);
    this.#events.set(eventId, { payload, lastAttempt: 0 });
    return this.#deliver(eventId, payload, 0, '');
  }

  /** Delivers a recorded event again with the same event_id, as Slack's retries do. */
  async replay(eventId: string): Promise<DeliveryOutcome> {
    const stored = this.#events.get(eventId);
    if (!stored) throw new Error(`No event ${eventId} was delivered by this simulator`);
    stored.lastAttempt += 1;
    const reason = this.#core.config.eventDelivery === 'socket' ? 'timeout' : 'http_timeout';
    return this.#deliver(eventId, stored.payload, stored.lastAttempt, reason);
  }

  /** A slash command: a `slash_commands` envelope, or a signed form POST in HTTP mode. Never retried. */
  async deliverCommand(fields: Record<string, string>): Promise<CommandDelivery> {
    const core = this.#core;
    if (core.config.eventDelivery === 'socket') {
      const envelope: SocketEnvelope = {
        envelope_id: newEnvelopeId(),
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: fields,
      };
      let settle: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
      const ack = new Promise<unknown>((resolve, reject) => {
        settle = { resolve, reject };
      });
      ack.catch(() => undefined);
      const sent =
        core.hub.deliver(envelope, {
          resend: false,
          onSent: (frame) => this.#recordSocket('slash_commands', undefined, frame),
          onAck: (payload) => settle?.resolve(payload),
          onGiveUp: () => settle?.reject(new Error('operation_timeout: the app did not ack the slash command in time')),
        }) === 'sent';
      if (!sent) settle?.reject(new Error('dispatch_failed: no Socket Mode connection'));
      return { envelopeId: sent ? envelope.envelope_id : undefined, ack };
    }
    const url = core.httpEventsUrl;
    if (url === undefined) {
      const ack = Promise.reject(new Error('dispatch_failed: no HTTP events URL is set'));
      ack.catch(() => undefined);
      return { envelopeId: undefined, ack };
    }
    const body = new URLSearchParams(fields).toString();
    const attempt = this.#post(url, body, 'application/x-www-form-urlencoded', undefined, undefined);
    const ack = attempt.then((result) => {
      this.#recordHttp('slash_commands', undefined, fields, 0, '', result, body);
      if (result.status !== 200) {
        throw new Error(`dispatch_failed: the app answered ${String(result.status)} ${result.error ?? ''}`.trim());
      }
      return parseAnswer(result.responseBody, result.responseType);
    });
    ack.catch(() => undefined);
    core.track(ack);
    return { envelopeId: undefined, ack };
  }

  #eventCallback(eventId: string, event: Record<string, unknown>): Record<string, unknown> {
    const { team, bot } = this.#core.config;
    return {
      token: VERIFICATION_TOKEN,
      team_id: team.id,
      context_team_id: team.id,
      context_enterprise_id: null,
      api_app_id: bot.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: this.#core.nowSec(),
      authorizations: [
        { enterprise_id: null, team_id: team.id, user_id: bot.userId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${Buffer.from(`${String(event['type'])}-${team.id}`).toString('base64url')}`,
    };
  }

  async #deliver(
    eventId: string,
    payload: Record<string, unknown>,
    retryAttempt: number,
    retryReason: string,
  ): Promise<DeliveryOutcome> {
    return this.#core.config.eventDelivery === 'socket'
      ? this.#deliverOverSocket(eventId, payload, retryAttempt, retryReason)
      : this.#deliverOverHttp(eventId, payload, retryAttempt, retryReason);
  }

  #deliverOverSocket(
    eventId: string,
    payload: Record<string, unknown>,
    retryAttempt: number,
    retryReason: string,
  ): DeliveryOutcome {
    const envelope: SocketEnvelope = {
      envelope_id: newEnvelopeId(),
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: retryAttempt,
      retry_reason: retryReason,
      payload,
    };
    const result = this.#core.hub.deliver(envelope, {
      resend: true,
      onSent: (frame) => {
        const stored = this.#events.get(eventId);
        if (stored) stored.lastAttempt = Math.max(stored.lastAttempt, frame.retry_attempt ?? 0);
        this.#recordSocket('events_api', eventId, frame);
      },
      onGiveUp: () => this.#recordMissed(eventId, payload, 'not_acked'),
    });
    if (result === 'missed') this.#recordMissed(eventId, payload, 'no_connection');
    return {
      eventId,
      envelopeId: result === 'missed' ? undefined : envelope.envelope_id,
      delivered: result === 'sent',
    };
  }

  async #deliverOverHttp(
    eventId: string,
    payload: Record<string, unknown>,
    retryAttempt: number,
    retryReason: string,
  ): Promise<DeliveryOutcome> {
    const core = this.#core;
    const url = core.httpEventsUrl;
    if (url === undefined) {
      this.#recordMissed(eventId, payload, 'no_http_url');
      return { eventId, envelopeId: undefined, delivered: false };
    }
    const body = JSON.stringify(payload);
    const first = await this.#postEvent(url, eventId, payload, body, retryAttempt, retryReason);
    // Replays are single attempts; a first delivery that failed is retried in the background.
    if (!isSuccess(first) && retryAttempt === 0) core.track(this.#retryHttp(url, eventId, payload, body, first));
    return { eventId, envelopeId: undefined, delivered: true };
  }

  async #retryHttp(
    url: string,
    eventId: string,
    payload: Record<string, unknown>,
    body: string,
    first: HttpPostResult,
  ): Promise<void> {
    let last = first;
    const { httpMaxRetries, httpRetryDelaysMs } = this.#core.config;
    for (let retry = 1; retry <= httpMaxRetries; retry++) {
      // The last delay repeats when there are more retries than delays.
      await this.#delay(httpRetryDelaysMs[Math.min(retry, httpRetryDelaysMs.length) - 1] ?? 0);
      if (this.#core.closing.aborted) return;
      const stored = this.#events.get(eventId);
      if (stored) stored.lastAttempt = Math.max(stored.lastAttempt, retry);
      last = await this.#postEvent(url, eventId, payload, body, retry, retryReasonOf(last));
      if (isSuccess(last)) return;
    }
    this.#recordMissed(eventId, payload, 'retries_exhausted');
  }

  async #postEvent(
    url: string,
    eventId: string,
    payload: Record<string, unknown>,
    body: string,
    retryAttempt: number,
    retryReason: string,
  ): Promise<HttpPostResult> {
    const result = await this.#post(
      url,
      body,
      'application/json',
      retryAttempt === 0 ? undefined : retryAttempt,
      retryReason,
    );
    this.#recordHttp('events_api', eventId, payload, retryAttempt, retryReason, result, body);
    return result;
  }

  #post(
    url: string,
    body: string,
    contentType: 'application/json' | 'application/x-www-form-urlencoded',
    retryNum: number | undefined,
    retryReason: string | undefined,
  ): Promise<HttpPostResult> {
    const core = this.#core;
    return postToApp({
      url,
      body,
      contentType,
      signingSecret: core.config.signingSecret,
      timestampSec: core.nowSec(),
      ...(retryNum === undefined ? {} : { retryNum, retryReason: retryReason ?? 'http_error' }),
      timeoutMs: core.config.ackTimeoutMs,
      signal: core.closing,
    });
  }

  #recordSocket(kind: RecordedDelivery['kind'], eventId: string | undefined, envelope: SocketEnvelope): void {
    this.#core.deliveries.push({
      transport: 'socket',
      kind,
      eventId,
      envelopeId: envelope.envelope_id,
      retryAttempt: envelope.retry_attempt ?? 0,
      retryReason: envelope.retry_reason ?? '',
      status: 'sent',
      payload: envelope.payload,
      at: this.#core.now(),
    });
  }

  #recordHttp(
    kind: RecordedDelivery['kind'],
    eventId: string | undefined,
    payload: Record<string, unknown>,
    retryAttempt: number,
    retryReason: string,
    result: HttpPostResult,
    body: string,
  ): void {
    this.#core.deliveries.push({
      transport: 'http',
      kind,
      eventId,
      envelopeId: undefined,
      retryAttempt,
      retryReason,
      status: result.status,
      payload,
      body,
      headers: result.headers,
      responseBody: result.responseBody,
      ...(result.error === undefined ? {} : { error: result.error }),
      at: this.#core.now(),
    });
  }

  #recordMissed(eventId: string, payload: Record<string, unknown>, reason: MissedReason): void {
    this.#core.missed.push({ eventId, reason, payload, at: this.#core.now() });
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) {
        resolve();
        return;
      }
      this.#core.schedule(ms, resolve);
      this.#core.closing.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

function isSuccess(result: HttpPostResult): boolean {
  return typeof result.status === 'number' && result.status >= 200 && result.status < 300;
}
