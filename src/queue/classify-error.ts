import { BridgeError, RateLimitedError } from '../core/errors.js';

/** What the queue does with a failed call. */
export type SendErrorKind = 'rate_limited' | 'outcome_unknown' | 'transient' | 'permanent';

export interface SendErrorClass {
  readonly kind: SendErrorKind;
  /** The label for logs and the failures metric: the BridgeError code, or one derived for foreign errors. */
  readonly code: string;
  /** For `rate_limited`: the wait the platform asked for, when it gave a usable one. */
  readonly retryAfterMs?: number;
  /** For `rate_limited`: the platform said the limit reached is the app's global one (see RateLimitedError). */
  readonly global?: boolean;
}

// The connection was never made, so the request cannot have reached the platform.
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// The request may have been written before the connection broke: the platform may have applied it.
const MID_REQUEST_FAILURES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const ABORT_NAMES = new Set(['AbortError', 'TimeoutError']);

/**
 * Sorts a failure. BridgeErrors say what they are (`code`, `retryable`). Errors the bridge did not translate are
 * judged by their system code: a failed connect is transient; a connection lost mid-request (or an abort/timeout) is
 * an unknown outcome unless the task is `idempotent`, because resending a POST that may have landed would duplicate
 * the message. Anything else (a bug) is permanent: retrying it eight times would not help.
 */
export function classifySendError(error: unknown, idempotent: boolean): SendErrorClass {
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfterMs;
    return {
      kind: 'rate_limited',
      code: error.code,
      ...(wait !== undefined && Number.isFinite(wait) && wait >= 0 && { retryAfterMs: wait }),
      ...(error.global && { global: true }),
    };
  }
  if (error instanceof BridgeError) {
    if (error.code === 'outcome_unknown') return { kind: 'outcome_unknown', code: error.code };
    if (error.code === 'rate_limited') return { kind: 'rate_limited', code: error.code };
    return { kind: error.retryable ? 'transient' : 'permanent', code: error.code };
  }
  const systemCode = findSystemCode(error);
  if (systemCode !== undefined && CONNECT_FAILURES.has(systemCode)) return { kind: 'transient', code: 'network_error' };
  if (systemCode !== undefined && MID_REQUEST_FAILURES.has(systemCode)) {
    return idempotent
      ? { kind: 'transient', code: 'network_error' }
      : { kind: 'outcome_unknown', code: 'outcome_unknown' };
  }
  if (error instanceof Error && ABORT_NAMES.has(error.name)) {
    return idempotent ? { kind: 'transient', code: 'timeout' } : { kind: 'outcome_unknown', code: 'outcome_unknown' };
  }
  return { kind: 'permanent', code: 'unexpected' };
}

/** The first `code` string along the `cause` chain (fetch wraps undici's error as `TypeError('fetch failed')`). */
function findSystemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}
