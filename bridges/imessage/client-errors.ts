import type { BridgeError } from '../../src/core/errors.js';
import { PlatformError, RateLimitedError } from '../../src/core/errors.js';

/** What messages.dev said in its error envelope (§5), plus where it was said. */
export interface MessagesDevApiErrorDetails {
  status: number;
  /** Envelope `error.type`, e.g. 'invalid_request_error'. */
  type: string;
  /** Envelope `error.code`, e.g. 'contact_has_not_messaged'. */
  apiCode: string;
  message: string;
  param?: string | undefined;
  requestId?: string | undefined;
  method: string;
  /** Endpoint path without query (queries carry phone numbers). */
  path: string;
}

/** messages.dev answered with an error status. Branch on `apiCode` (and `status`), never on `message`. */
export class MessagesDevApiError extends PlatformError {
  readonly type: string;
  readonly apiCode: string;
  readonly param: string | undefined;
  readonly requestId: string | undefined;

  constructor(details: MessagesDevApiErrorDetails) {
    const { status, apiCode } = details;
    // A write answered 500/502/504 may have been applied before the server failed (there is no
    // idempotency key): it must be reconciled, not repeated. 503 and 429 mean it was refused unprocessed.
    const unclearWrite = details.method !== 'GET' && status >= 500 && status !== 503;
    super(
      'imessage',
      status,
      status === 404 ? 'not_found' : unclearWrite ? 'outcome_unknown' : 'platform_error',
      `messages.dev ${details.method} ${details.path} failed with ${status} ${apiCode}: ${details.message}`,
      {
        retryable: !unclearWrite && (status >= 500 || status === 429),
        notifyUser: status === 403 && apiCode === 'contact_has_not_messaged',
      },
    );
    this.type = details.type;
    this.apiCode = apiCode;
    this.param = details.param;
    this.requestId = details.requestId;
  }
}

/**
 * Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP-date relative to `nowMs`.
 * Undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP-date always names a weekday or month; this keeps Date.parse from accepting bare numbers like "-5".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

interface ErrorEnvelope {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  param?: unknown;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Turns an error response into the error the caller sees: RateLimitedError for 429, else MessagesDevApiError. */
export function translateErrorResponse(input: {
  status: number;
  bodyText: string;
  retryAfter: string | null;
  method: string;
  path: string;
  nowMs: number;
}): BridgeError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.bodyText);
  } catch {
    parsed = undefined;
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const envelope: ErrorEnvelope =
    typeof record['error'] === 'object' && record['error'] !== null ? record['error'] : {};
  const apiError = new MessagesDevApiError({
    status: input.status,
    type: asString(envelope.type) ?? (input.status >= 500 ? 'api_error' : 'invalid_request_error'),
    apiCode: asString(envelope.code) ?? (input.status >= 500 ? 'server_error' : 'unknown_error'),
    message: asString(envelope.message) ?? `HTTP ${input.status}`,
    param: asString(envelope.param),
    requestId: asString(record['request_id']),
    method: input.method,
    path: input.path,
  });
  if (input.status !== 429) return apiError;
  const retryAfterMs = parseRetryAfter(input.retryAfter, input.nowMs);
  return new RateLimitedError('imessage', retryAfterMs, `messages.dev rate limit on ${input.method} ${input.path}`, {
    cause: apiError,
  });
}

/** Error codes of failures to connect at all: nothing was sent, so any request may be retried. */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === 'string' ? [own] : [];
  const nested = error instanceof AggregateError ? error.errors : [];
  return [
    ...codes,
    ...errorCodes((error as { cause?: unknown }).cause, depth + 1),
    ...nested.flatMap((inner: unknown) => errorCodes(inner, depth + 1)),
  ];
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * A fetch that threw (or a body that failed to arrive) → PlatformError. Only GETs are known to be safe to
 * repeat: a POST/DELETE that may have reached the server is 'outcome_unknown' and never retryable here.
 */
export function translateTransportFailure(
  error: unknown,
  input: { method: string; path: string; timeoutMs: number },
): PlatformError {
  const where = `messages.dev ${input.method} ${input.path}`;
  const idempotent = input.method === 'GET';
  if (isTimeout(error)) {
    return idempotent
      ? new PlatformError('imessage', undefined, 'timeout', `${where} timed out after ${input.timeoutMs} ms`, {
          retryable: true,
          cause: error,
        })
      : new PlatformError(
          'imessage',
          undefined,
          'outcome_unknown',
          `${where} timed out after ${input.timeoutMs} ms; it may have been applied`,
          { retryable: false, cause: error },
        );
  }
  if (idempotent || errorCodes(error).some((code) => CONNECT_FAILURES.has(code))) {
    return new PlatformError('imessage', undefined, 'network_error', `${where} could not reach messages.dev`, {
      retryable: true,
      cause: error,
    });
  }
  return new PlatformError(
    'imessage',
    undefined,
    'outcome_unknown',
    `${where} lost its connection after sending; it may have been applied`,
    { retryable: false, cause: error },
  );
}
