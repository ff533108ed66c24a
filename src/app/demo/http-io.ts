import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request the page got wrong: answered with `status` and a JSON `{ error }`. */
export class HttpInputError extends Error {
  override readonly name = 'HttpInputError';
  readonly code = 'bad_request';
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: readonly { path: string; message: string }[],
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Reads a JSON body of at most `limitBytes`; only `application/json`, which a foreign page cannot send unasked. */
export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpInputError(415, 'send JSON with content-type: application/json');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpInputError(413, `body over ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new HttpInputError(413, `body over ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpInputError(400, 'malformed JSON');
  }
}
