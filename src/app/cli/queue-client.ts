import type { Config } from '../config-schema.js';
import type { QueueSnapshot, RetryRequest, RetryResult } from '../../server/queue-view.js';
import { asRecord, fetchJson, stringField, UnreachableError, type JsonAnswer } from './fetch-json.js';

/** What asking the daemon gave: its answer, nobody listening (not running), or a failure to report. */
export type AdminAnswer<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'not_running' }
  | { readonly kind: 'failed'; readonly message: string };

const defaultTimeoutMs = 10_000;

/**
 * Where the daemon of this config answers on this host: 127.0.0.1, or `server.host` when it binds one
 * specific address. Undefined with `server.port: 0` (a port picked at start cannot be known here).
 */
export function adminBaseUrl(server: Pick<Config['server'], 'host' | 'port'>): string | undefined {
  if (server.port === 0) return undefined;
  const host = server.host.trim();
  const any = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]' || host === '*';
  const name = any ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${server.port}`;
}

/** `GET /admin/queue`. */
export async function fetchQueue(base: string, timeoutMs = defaultTimeoutMs): Promise<AdminAnswer<QueueSnapshot>> {
  return ask(base, '/admin/queue', { method: 'GET', timeoutMs }, (body) => {
    const record = asRecord(body);
    const valid =
      typeof record['now'] === 'number' && Array.isArray(record['destinations']) && Array.isArray(record['effects']);
    return valid ? (body as QueueSnapshot) : undefined;
  });
}

/** `POST /admin/queue/retry`. */
export async function postRetry(
  base: string,
  request: RetryRequest,
  timeoutMs = defaultTimeoutMs,
): Promise<AdminAnswer<RetryResult>> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    timeoutMs,
  };
  return ask(base, '/admin/queue/retry', init, (body) => {
    const record = asRecord(body);
    const ids = (key: string): number[] | undefined => {
      const value = record[key];
      return Array.isArray(value) && value.every(Number.isInteger) ? (value as number[]) : undefined;
    };
    const retried = ids('retried');
    const unknown = ids('unknown');
    // `notDead` is optional: without it, an id not retried reads as unknown.
    return retried && unknown ? { retried, unknown, notDead: ids('notDead') ?? [] } : undefined;
  });
}

async function ask<T>(
  base: string,
  path: string,
  init: RequestInit & { timeoutMs: number },
  parse: (body: unknown) => T | undefined,
): Promise<AdminAnswer<T>> {
  const url = `${base}${path}`;
  let answer: JsonAnswer;
  try {
    answer = await fetchJson(url, init);
  } catch (error) {
    if (error instanceof UnreachableError && causeCode(error) === 'ECONNREFUSED') return { kind: 'not_running' };
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'failed', message: `the daemon at ${base} did not answer (${reason})` };
  }
  if (answer.status === 200) {
    const value = parse(answer.body);
    if (value !== undefined) return { kind: 'ok', value };
    return { kind: 'failed', message: `${url} answered something that is not Threadline's queue` };
  }
  if (answer.status === 403) {
    return {
      kind: 'failed',
      message: `${url} refused (403): the admin routes answer only clients on the daemon's own host. Run threadline queue there (e.g. docker exec <container> threadline queue).`,
    };
  }
  if (answer.status === 404) {
    return {
      kind: 'failed',
      message: `${url} answered 404: the program on that port is not a Threadline with admin routes (an older version, or another program on server.port).`,
    };
  }
  const error = asRecord(asRecord(answer.body)['error']);
  const detail = stringField(error, 'message') ?? `HTTP ${answer.status}`;
  return { kind: 'failed', message: `${url} failed: ${detail}` };
}

/** The first `code` on an error or its causes (undici nests the socket's). */
function causeCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  return causeCode((error as { cause?: unknown }).cause, depth + 1);
}
