import { MessagesDevApiError } from '../../../bridges/imessage/client-errors.js';
import type { Line } from '../../../bridges/imessage/client-types.js';
import type { MessagesDevClient } from '../../../bridges/imessage/client.js';
import type { RouteConfig } from '../config-schema.js';
import { PlatformError, RateLimitedError } from '../../core/errors.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import { describeUnreachable } from './fetch-json.js';
import { routesLabel, routeTargets, type RouteTarget } from './route-targets.js';

/** A route line as messages.dev knows it. */
export interface RouteLine {
  readonly target: RouteTarget;
  readonly line: Line;
}

/** Route lines the key cannot see, as complaint lines; empty when all are there. */
export type ResolvedLines = { readonly lines: RouteLine[]; readonly problems: string[] };

/**
 * Matches each distinct route line (a handle or an `ln_` id) to the key's lines: the webhook endpoints
 * take the handle.
 */
export async function resolveRouteLines(
  client: MessagesDevClient,
  routes: readonly RouteConfig[],
): Promise<ResolvedLines> {
  const known = await client.listLines();
  const lines: RouteLine[] = [];
  const problems: string[] = [];
  for (const target of routeTargets(routes, 'line')) {
    const line = known.find((candidate) => candidate.handle === target.id || candidate.id === target.id);
    if (line) {
      lines.push({ target, line });
    } else {
      const seen = known.map((candidate) => candidate.handle).join(', ') || 'none';
      problems.push(
        `${routesLabel(target)}.line ${target.id} is not among the lines this key can see (${seen}); fix the route or use a key with access to it`,
      );
    }
  }
  return { lines, problems };
}

/** A failed messages.dev call as a sentence and the exit code it deserves (2 for the key, 1 otherwise). */
export function describeApiFailure(
  error: unknown,
  apiUrl: string,
  timeoutMs: number,
): { text: string; code: ExitCode } {
  if (error instanceof MessagesDevApiError) {
    if (error.status === 401) {
      return {
        text: `messages.dev refused the API key (${error.apiCode}): set MESSAGES_API_KEY (imessage.apiKey) to a key from the dashboard (API Keys)`,
        code: exitCodes.badConfig,
      };
    }
    if (error.status === 403) {
      return {
        text: `messages.dev: the key may not do this (${error.apiCode}); it needs the lines:read and webhooks:read/webhooks:write scopes`,
        code: exitCodes.badConfig,
      };
    }
    return { text: error.message, code: exitCodes.failure };
  }
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfterMs === undefined ? 'a while' : `${Math.ceil(error.retryAfterMs / 1000)} s`;
    return { text: `messages.dev rate limit reached; try again in ${wait}`, code: exitCodes.failure };
  }
  if (error instanceof PlatformError && (error.code === 'timeout' || error.code === 'network_error')) {
    return {
      text: `could not reach messages.dev at ${apiUrl} (${describeUnreachable(error.cause, timeoutMs)}); check imessage.apiUrl and the network`,
      code: exitCodes.failure,
    };
  }
  return { text: error instanceof Error ? error.message : String(error), code: exitCodes.failure };
}
