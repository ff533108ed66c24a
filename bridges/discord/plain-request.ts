import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { requestWhole } from '../../src/http/whole-request.js';

/** discord.js's view of an answer (@discordjs/rest `ResponseLike`). */
export interface PlainResponse {
  readonly body: Readable | null;
  readonly bodyUsed: boolean;
  readonly headers: Headers;
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/**
 * discord.js's `makeRequest`: a call with a JSON (or no) body goes out through requestWhole (node:http on a
 * kept-alive connection) and its answer comes back whole, as a plain object. Through the global fetch every post
 * also paid for web streams both ways, and discord.js cloned each answer (a stream tee) for the listener that
 * reads the rate-limit headers: on an idle bridge that was a large part of the time from a customer's text to
 * the post. A form with files goes to the global fetch as before (undici's own FormData is not this process's).
 */
export async function plainRequest(url: string, init: RequestInit): Promise<PlainResponse | Response> {
  const target = new URL(url);
  const body = init.body ?? undefined;
  const plain = body === undefined || typeof body === 'string' || body instanceof Uint8Array;
  if (!plain || (target.protocol !== 'http:' && target.protocol !== 'https:')) return fetch(url, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  const answer = await requestWhole(target, {
    method: init.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const answerHeaders = new Headers();
  for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
    answerHeaders.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
  }
  return plainResponse(answer.status, answerHeaders, answer.body);
}

function plainResponse(status: number, headers: Headers, bytes: Buffer): PlainResponse {
  let used = false;
  const take = () => {
    if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    used = true;
    return Promise.resolve(bytes);
  };
  return {
    // A getter: discord.js copies the answer for its listeners with a spread, which must not share one stream.
    get body() {
      return Readable.from([bytes]);
    },
    get bodyUsed() {
      return used;
    },
    headers,
    ok: status >= 200 && status < 300,
    status,
    statusText: STATUS_CODES[status] ?? '',
    arrayBuffer: () =>
      take().then((data) => data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer),
    json: () => take().then((data) => JSON.parse(data.toString('utf8')) as unknown),
    text: () => take().then((data) => data.toString('utf8')),
  };
}
