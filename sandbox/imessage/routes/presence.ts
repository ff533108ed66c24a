import type { SimCore } from '../core.js';
import { invalidParameter } from '../errors.js';
import { enqueueOutbox } from '../outbox.js';
import { singlePage } from '../pagination.js';
import { optionalString, requireString } from '../params.js';
import { wireReceipt, wireTyping } from '../wire.js';
import type { ApiRequest, ApiResult, Route } from './route.js';
import { outboxCreated } from './route.js';

function sendTyping(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const chat = core.state.requireChat(line, requireString(body, 'to'));
  const state = optionalString(body, 'state') ?? 'on';
  if (state !== 'on' && state !== 'off') throw invalidParameter('state', 'state must be "on" or "off"');
  return outboxCreated(enqueueOutbox(core, 'typing', line, chat, { ...body }));
}

function listTyping(core: SimCore, { query }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(query, 'from'));
  const chat = core.state.requireChat(line, requireString(query, 'to'));
  const data = core.state.typing.filter((entry) => entry.chat_id === chat.id).map(wireTyping);
  return { status: 200, body: { ...singlePage(data) } };
}

function sendReceipt(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const chat = core.state.requireChat(line, requireString(body, 'to'));
  return outboxCreated(enqueueOutbox(core, 'receipt', line, chat, { ...body }));
}

function listReceipts(core: SimCore, { query }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(query, 'from'));
  const chat = core.state.requireChat(line, requireString(query, 'to'));
  const data = core.state.receipts.filter((entry) => entry.chat_id === chat.id).map(wireReceipt);
  return { status: 200, body: { ...singlePage(data) } };
}

export const presenceRoutes: Record<string, Route> = {
  'POST /typing': { handle: sendTyping },
  'GET /typing': { handle: listTyping },
  'POST /receipts': { handle: sendReceipt },
  'GET /receipts': { handle: listReceipts },
};
