import type { SimCore } from '../core.js';
import { notFound } from '../errors.js';
import { pageNewestFirst, singlePage } from '../pagination.js';
import { requirePrefixedId, requireString } from '../params.js';
import { wireChat, wireLine, wireOutboxItem } from '../wire.js';
import type { ApiRequest, ApiResult, Route } from './route.js';

function listLines(core: SimCore): ApiResult {
  return { status: 200, body: { ...singlePage(core.state.lines.map(wireLine)) } };
}

/** Newest-created chat first; creation order is stable, so cursors survive new chats arriving. */
function listChats(core: SimCore, { query }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(query, 'from'));
  const chats = core.state.chats.filter((chat) => chat.line_id === line.id);
  const page = pageNewestFirst(chats, query, `chats:${line.id}`);
  return { status: 200, body: { ...page, data: page.data.map(wireChat) } };
}

function getOutboxItem(core: SimCore, { query }: ApiRequest): ApiResult {
  const id = requirePrefixedId(query, 'id', 'obx_');
  const item = core.state.outboxById(id);
  if (!item) throw notFound('outbox_item_not_found', `No outbox item ${id}`, 'id');
  return { status: 200, body: wireOutboxItem(item) };
}

export const accountRoutes: Record<string, Route> = {
  'GET /lines': { handle: listLines },
  'GET /chats': { handle: listChats },
  'GET /outbox': { handle: getOutboxItem },
};
