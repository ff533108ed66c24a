import type { SimCore } from './core.js';
import { DiscordApiError } from './errors.js';
import { rateLimited, seconds } from './rate-limits.js';
import type { RecordedCall } from './types.js';

/** What a REST call gets during an outage: held open, or an error answer (a 429 may be a violation). */
export type OutageAnswer = { hold: true } | { hold: false; error: DiscordApiError; violation: boolean };

/** The route parameters that make a Discord bucket "major" (each value has its own bucket). */
const MAJOR_PARAMS = ['channel', 'guild', 'webhook'] as const;

/**
 * The answer to a REST call (`record` with its route and, when a route matched, its template) during an outage,
 * or undefined when no outage applies. A '429' that ignored an announced Retry-After of the same route bucket
 * (route and channel, guild or webhook) is a violation.
 */
export function outageAnswer(
  core: SimCore,
  record: RecordedCall,
  params: Record<string, string>,
): OutageAnswer | undefined {
  const { method, route, template } = record;
  const names = [route, `${method} ${route}`];
  if (template !== '') names.push(template, `${method} ${template}`);
  const outage = core.outage.refuses(names);
  if (!outage) return undefined;
  if (outage.mode === 'hang') return { hold: true };
  if (outage.mode === '503') {
    return { hold: false, error: new DiscordApiError(503, 0, 'Service Unavailable'), violation: false };
  }
  const major = MAJOR_PARAMS.map((name) => params[name]).find((value) => value !== undefined) ?? '';
  const now = Date.now();
  const { retryAfterSec, violation } = core.outage.rateLimit(`${method} ${template || route}:${major}`, now);
  const waitMs = retryAfterSec * 1000;
  // Remaining 0 with Reset-After makes discord.js hold the bucket back by itself, as after a real 429.
  const headers = {
    'Retry-After': String(retryAfterSec),
    'X-RateLimit-Limit': '1',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': seconds(now + waitMs),
    'X-RateLimit-Reset-After': seconds(waitMs),
    'X-RateLimit-Scope': 'user',
  };
  return { hold: false, error: rateLimited(waitMs, false, headers), violation };
}
