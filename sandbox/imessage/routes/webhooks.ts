import type { SimCore } from '../core.js';
import { invalidParameter, missingParameter, notFound } from '../errors.js';
import { newId, newWebhookSecret } from '../ids.js';
import { singlePage } from '../pagination.js';
import { requireString } from '../params.js';
import type { SimWebhook, WebhookEvent } from '../types.js';
import { wireWebhook } from '../wire.js';
import type { ApiRequest, ApiResult, Route } from './route.js';

const EVENTS: readonly WebhookEvent[] = ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'];

function parseEvents(value: unknown): WebhookEvent[] {
  if (value === undefined || value === null) throw missingParameter('events');
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidParameter('events', 'events must be a non-empty array of event names');
  }
  for (const event of value) {
    // typing.* and receipt.read existed in older docs; subscribing to them is rejected today.
    if (typeof event !== 'string' || !(EVENTS as readonly string[]).includes(event)) {
      throw invalidParameter('events', `Unsupported event ${String(event)}; use ${EVENTS.join(', ')}`);
    }
  }
  return [...new Set(value as WebhookEvent[])];
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return value;
  } catch {
    // fall through
  }
  throw invalidParameter('url', 'url must be an http(s) URL');
}

function createWebhook(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const url = parseUrl(requireString(body, 'url'));
  const events = parseEvents(body['events']);
  const webhook: SimWebhook = {
    id: newId('wh'),
    line_ids: [line.id],
    url,
    events,
    is_active: true,
    secret: core.config.webhookSecret ?? newWebhookSecret(),
    created_at: core.now(),
  };
  core.state.webhooks.push(webhook);
  return { status: 201, body: { ...wireWebhook(webhook), secret: webhook.secret } };
}

function listWebhooks(core: SimCore, { query }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(query, 'from'));
  const data = core.state.webhooks.filter((webhook) => webhook.line_ids.includes(line.id)).map(wireWebhook);
  return { status: 200, body: { ...singlePage(data) } };
}

function deleteWebhook(core: SimCore, { body }: ApiRequest): ApiResult {
  const id = requireString(body, 'id');
  const index = core.state.webhooks.findIndex((webhook) => webhook.id === id);
  if (index < 0) throw notFound('webhook_not_found', `No webhook ${id}`, 'id');
  core.state.webhooks.splice(index, 1);
  return { status: 200, body: { id, deleted: true } };
}

export const webhookRoutes: Record<string, Route> = {
  'POST /webhooks': { handle: createWebhook },
  'GET /webhooks': { handle: listWebhooks },
  'DELETE /webhooks': { handle: deleteWebhook },
};
