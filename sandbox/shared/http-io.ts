import type { IncomingMessage, ServerResponse } from 'node:http';

/** The whole request body (the simulators' bodies are small; they are recorded whole). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers with `text`; Content-Type and Content-Length win over the same names in `headers`. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * Answers with `body` as JSON labelled `contentType` (without a JSON type @discordjs/rest hands callers a raw
 * ArrayBuffer).
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  sendText(res, status, JSON.stringify(body), contentType, headers);
}

/** Answers 204 No Content. */
export function sendEmpty(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(204, headers);
  res.end();
}

/** Query parameters as a flat record (the last value wins, as most servers do). */
export function readQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return query;
}

/** Headers as a plain record with string values (for recording what was sent). */
export function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}
