import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson as sendSharedJson } from '../shared/http-io.js';

/** JSON as Slack labels it (with charset=utf-8). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  sendSharedJson(res, status, body, headers, 'application/json; charset=utf-8');
}

/** The bearer token of an Authorization header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
