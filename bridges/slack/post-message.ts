import { requestWhole, type WholeAnswer } from '../../src/http/whole-request.js';

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

export type PostMessage = (params: PostMessageParams) => Promise<{ readonly ts?: string }>;

/**
 * Slack's answer as the Web API client reports it (its coded errors), so that translateSlackError reads both:
 * `slack_webapi_platform_error` with `data.error`, `slack_webapi_rate_limited_error` with `retryAfter` (seconds),
 * `slack_webapi_http_error` with `statusCode`, `slack_webapi_request_error` when no answer came.
 */
export class SlackCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { data?: { error?: string }; retryAfter?: number; statusCode?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = 'SlackCallError';
    if (details.data) Object.assign(this, { data: details.data });
    if (details.retryAfter !== undefined) Object.assign(this, { retryAfter: details.retryAfter });
    if (details.statusCode !== undefined) Object.assign(this, { statusCode: details.statusCode });
  }
}

/**
/**
 * chat.postMessage as one plain HTTP request on a kept-alive connection (see requestWhole). Every text of a
 * conversation is one of these, so it skips the Web API client's general machinery (a request queue, retries we
 * turn off, form encoding, per-call debug strings, fetch's web streams): on an idle bridge that machinery was a
 * large part of the time from a customer's text to the post. The client still makes every other call.
 */
export function createPostMessage(options: { apiUrl: string; token: string; timeoutMs: number }): PostMessage {
  const url = new URL('chat.postMessage', options.apiUrl);
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json; charset=utf-8',
  };
  return async (params) => {
    let answer: WholeAnswer;
    try {
      answer = await requestWhole(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw requestError(error);
    }
    return resultOf(answer);
  };
}

function resultOf(answer: WholeAnswer): { ts?: string } {
  if (answer.status === 429) {
    const retryAfter = Number(answer.headers['retry-after']);
    throw new SlackCallError('slack_webapi_rate_limited_error', 'A rate-limit has been reached', {
      retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1,
    });
  }
  if (answer.status !== 200) {
    throw new SlackCallError('slack_webapi_http_error', `HTTP ${answer.status}`, { statusCode: answer.status });
  }
  let result: { ok?: unknown; error?: unknown; ts?: unknown };
  try {
    result = JSON.parse(answer.body.toString('utf8')) as typeof result;
  } catch (error) {
    throw requestError(error);
  }
  if (result.ok !== true) {
    const code = typeof result.error === 'string' ? result.error : 'unknown_error';
    throw new SlackCallError('slack_webapi_platform_error', `An API error occurred: ${code}`, {
      data: { error: code },
    });
  }
  return typeof result.ts === 'string' ? { ts: result.ts } : {};
}

function requestError(error: unknown): SlackCallError {
  const message = error instanceof Error ? error.message : String(error);
  return new SlackCallError('slack_webapi_request_error', `A request error occurred: ${message}`, { cause: error });
}
