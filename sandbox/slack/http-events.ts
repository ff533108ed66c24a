import { headerRecord } from '../shared/http-io.js';
import { signSlackRequest } from './signing.js';

export interface HttpPostInput {
  url: string;
  body: string;
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  signingSecret: string;
  timestampSec: number;
  /** Set on retries: `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`. */
  retryNum?: number;
  retryReason?: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface HttpPostResult {
  status: number | 'error';
  headers: Record<string, string>;
  responseBody: string;
  responseType: string;
  error?: string;
}

/** Why a failed attempt is retried, in Slack's words (`X-Slack-Retry-Reason`). */
export function retryReasonOf(result: HttpPostResult): string {
  if (result.status !== 'error') return 'http_error';
  return result.error?.includes('timeout') ? 'http_timeout' : 'connection_failed';
}

/** One signed POST to the app's Request URL, with the content-type exactly as Slack sends it. */
export async function postToApp(input: HttpPostInput): Promise<HttpPostResult> {
  const headers = new Headers({
    'Content-Type': input.contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Request-Timestamp': String(input.timestampSec),
    'X-Slack-Signature': signSlackRequest(input.signingSecret, input.timestampSec, input.body),
  });
  if (input.retryNum !== undefined) {
    headers.set('X-Slack-Retry-Num', String(input.retryNum));
    headers.set('X-Slack-Retry-Reason', input.retryReason ?? 'http_error');
  }
  try {
    const signal = AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)]);
    const response = await fetch(input.url, { method: 'POST', headers, body: input.body, signal, redirect: 'manual' });
    const responseBody = await response.text();
    return {
      status: response.status,
      headers: headerRecord(headers),
      responseBody,
      responseType: response.headers.get('content-type') ?? '',
    };
  } catch (cause) {
    return {
      status: 'error',
      headers: headerRecord(headers),
      responseBody: '',
      responseType: '',
      error: describeFailure(cause),
    };
  }
}

function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (cause.name === 'TimeoutError') return 'timeout';
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}

/** Parses an HTTP answer body: JSON when it says so (or looks like it), else the text. */
export function parseAnswer(body: string, contentType: string): unknown {
  if (body === '') return '';
  if (contentType.includes('json') || /^[[{]/.test(body)) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  return body;
}
