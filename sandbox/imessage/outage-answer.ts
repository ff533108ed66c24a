import type { IncomingMessage } from 'node:http';
import type { SimCore } from './core.js';
import { SimApiError } from './errors.js';
import type { RecordedRequest } from './types.js';

/** What a request under the base path gets during an outage: held open, or an error envelope. */
export type OutageAnswer = { hold: true } | { hold: false; error: SimApiError };

/**
 * The answer to a request during an outage, or undefined when none applies (`except` names its path or
 * 'METHOD /path'). A '429' is per API key, like the hourly budget, and records a request that came back inside
 * an announced Retry-After as a violation.
 */
export function outageAnswer(core: SimCore, req: IncomingMessage, record: RecordedRequest): OutageAnswer | undefined {
  const outage = core.outage.refuses([record.path, `${record.method} ${record.path}`]);
  if (!outage) return undefined;
  record.body = recordedBody(record.body);
  if (outage.mode === 'hang') return { hold: true };
  if (outage.mode === '503') {
    return {
      hold: false,
      error: new SimApiError(503, 'api_error', 'service_unavailable', 'The service is temporarily unavailable.'),
    };
  }
  const waitMs = (outage.retryAfterSec ?? 1) * 1000;
  return {
    hold: false,
    error: core.limits.rateLimited(`outage:${bearerKey(req)}`, waitMs, 'Too many requests.', record),
  };
}

/** A refused request's body as the record shows it: parsed JSON when it is JSON, else unchanged. */
function recordedBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return body;
  }
}

function bearerKey(req: IncomingMessage): string {
  return /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
}
