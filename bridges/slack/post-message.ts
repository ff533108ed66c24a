import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';

/** What chat.postMessage is sent (Slack takes it as JSON with the bot token as a Bearer). */
export interface PostMessageParams {
  readonly channel: string;
  readonly thread_ts?: string;
  readonly text: string;
  readonly username?: string;
  readonly icon_url?: string;
  readonly unfurl_links?: boolean;
  readonly unfurl_media?: boolean;
  readonly metadata?: { event_type: string; event_payload: Record<string, string | number> };
}

export type PostMessage = (params: PostMessageParams) => Promise<{ readonly ts: string }>;

/**
 * chat.postMessage as one plain HTTP request on a kept-alive connection. Every text of a conversation is one of
 * these, so it skips the Web API client's general machinery (a request queue, retries we turn off, form encoding,
 * per-call debug strings, fetch's web streams): on an idle bridge that machinery was a large part of the time from
 * a customer's text to the post. Failures are the client's own error classes, so translateSlackError reads them
 * as it reads the client's; the client still makes every other call.
 */
export function createPostMessage(options: { apiUrl: string; token: string; timeoutMs: number }): PostMessage {
  const url = new URL('chat.postMessage', options.apiUrl);
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  return (params) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(params);
      const fail = (error: unknown) =>
        reject(new WebAPIRequestError(error instanceof Error ? error : new Error(String(error))));
      const request = send(
        url,
        {
          method: 'POST',
          agent,
          signal: AbortSignal.timeout(options.timeoutMs),
          headers: {
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
          },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', fail);
          answer.on('end', () => {
            const result = resultOf(answer, Buffer.concat(chunks));
            if (result instanceof Error) reject(result);
            else resolve(result);
          });
        },
      );
      request.on('error', fail);
      request.end(body);
    });
}

/** The post's ts, or the error the Web API client would have thrown for this answer. */
function resultOf(answer: IncomingMessage, bytes: Buffer): { ts: string } | Error {
  const status = answer.statusCode ?? 0;
  if (status === 429) {
    const retryAfter = Number(answer.headers['retry-after']);
    // Without a usable Retry-After, a second: what translateSlackError assumes of any 429 without one.
    return new WebAPIRateLimitedError(Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1);
  }
  if (status !== 200) {
    return new WebAPIHTTPError(status, answer.statusMessage ?? '', {}, bytes.toString('utf8'));
  }
  let result: { ok?: unknown; error?: unknown; ts?: unknown };
  try {
    result = JSON.parse(bytes.toString('utf8')) as typeof result;
  } catch (error) {
    // Slack may have posted it: an unreadable answer leaves the outcome unknown, to be reconciled.
    return new WebAPIRequestError(error as Error);
  }
  if (result.ok !== true) {
    return new WebAPIPlatformError({
      ok: false,
      error: typeof result.error === 'string' ? result.error : 'unknown_error',
    });
  }
  if (typeof result.ts !== 'string') return new WebAPIRequestError(new Error('chat.postMessage answered without a ts'));
  return { ts: result.ts };
}
