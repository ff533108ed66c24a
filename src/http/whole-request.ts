import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** An answer read to its end. */
export interface WholeAnswer {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values in the order they came, names as sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface WholeRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

/** Connections kept open between calls, as fetch keeps them: a platform's API is called again and again. */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One HTTP(S) request with a body in memory, its answer read whole. For the platform calls every message makes:
 * the global fetch streams both ways through web streams, which on an idle bridge cost about as much time again
 * as the rest of the way from a customer's text to its post. Rejects with the socket's error (`code` set, e.g.
 * ECONNREFUSED) or the signal's AbortError.
 */
export function requestWhole(url: URL, request: WholeRequest): Promise<WholeAnswer> {
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const sent = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: request.method,
        headers,
        agent: secure ? agents.https : agents.http,
        ...(request.signal ? { signal: request.signal } : {}),
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () =>
          resolve({
            status: answer.statusCode ?? 0,
            statusMessage: answer.statusMessage ?? '',
            headers: answer.headers,
            rawHeaders: answer.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(request.body);
  });
}
