/** An HTTP answer whose body was read as JSON (undefined when it was not JSON). */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** A request that got no HTTP answer at all; the message says why in a few words. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** The first `code` found on an error or its causes (undici nests the socket error). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

/** Socket and TLS error codes, in a few words. */
const unreachableReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  CERT_HAS_EXPIRED: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate not trusted',
};

/** Why a request failed to reach its server, for a person: "no answer within 10 s", "connection refused". */
export function describeUnreachable(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  const code = errorCode(error);
  const known = code === undefined ? undefined : unreachableReasons[code];
  return known ?? (error instanceof Error ? error.message : String(error));
}

/**
 * One request with a deadline, the body parsed as JSON. Any HTTP status resolves (the caller judges it);
 * only a request that got no answer rejects, with an UnreachableError.
 */
export async function fetchJson(url: URL | string, init: RequestInit & { timeoutMs: number }): Promise<JsonAnswer> {
  const { timeoutMs, ...request } = init;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...request, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    throw new UnreachableError(describeUnreachable(error, timeoutMs), { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

/** `value` as a plain object, or an empty one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `record[key]` when it is a string. */
export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
