import type { IncomingHttpHeaders } from 'node:http';
import type { SimCore } from '../core.js';
import { SimApiError } from '../errors.js';
import type { Params } from '../params.js';
import type { SimChat, SimLine, SimOutboxItem } from '../types.js';

export interface ApiRequest {
  method: string;
  /** Path without the base path. */
  path: string;
  query: Record<string, string>;
  /** The JSON body of a write ({} when empty). */
  body: Params;
  /** The raw bytes of the body (file uploads). */
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

export interface ApiResult {
  status: number;
  /** The response JSON; the server adds `request_id`. */
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface Route {
  handle: (core: SimCore, request: ApiRequest) => ApiResult;
  /** The body is raw bytes, not JSON (POST /files). */
  rawBody?: boolean;
}

/** §2.14: a line may only write into a chat that has sent it something first. */
export function requireContactFirst(core: SimCore, line: SimLine, to: string): SimChat {
  const chat = core.state.findChat(line, to);
  if (to.startsWith('cht_') && !chat) return core.state.requireChat(line, to);
  if (!chat?.has_received_inbound) {
    throw new SimApiError(
      403,
      'invalid_request_error',
      'contact_has_not_messaged',
      'Cannot send to a contact who has not messaged this line first.',
      'to',
    );
  }
  return chat;
}

/** The answer of every asynchronous write: 201 with the new outbox item. */
export function outboxCreated(item: SimOutboxItem): ApiResult {
  return { status: 201, body: { id: item.id, status: item.status } };
}
