import type { TeamBridgeId } from './model.js';
import type { ReplyRule } from './reply-rule.js';

/** One team destination of a line. */
export interface TeamRoute {
  readonly channel: string;
  /** two-way: team replies reach the phone; mirror: read-only copy. */
  readonly mode: 'two-way' | 'mirror';
}

/** Where one line's conversations go, in the core's terms. */
export interface RouteSpec {
  readonly line: string;
  readonly teams: Readonly<Partial<Record<TeamBridgeId, TeamRoute>>>;
  readonly replies: ReplyRule;
}

/** Routes by line handle. */
export function indexRoutes(routes: readonly RouteSpec[]): ReadonlyMap<string, RouteSpec> {
  return new Map(routes.map((route) => [route.line, route]));
}
