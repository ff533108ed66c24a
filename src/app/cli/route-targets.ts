import type { RouteConfig } from '../config-schema.js';

/** One channel (or line) named by the routes, with the routes that name it. */
export interface RouteTarget {
  /** The Slack or Discord channel id, or the line handle. */
  readonly id: string;
  /** Config paths of the routes naming it, e.g. `routes[0]`. */
  readonly routes: readonly string[];
}

/** The distinct lines, Slack channels or Discord channels of the routes, in config order. */
export function routeTargets(routes: readonly RouteConfig[], what: 'line' | 'slack' | 'discord'): RouteTarget[] {
  const byId = new Map<string, string[]>();
  routes.forEach((route, index) => {
    const id = what === 'line' ? route.line : route[what]?.channel;
    if (id === undefined) return;
    const labels = byId.get(id) ?? [];
    labels.push(`routes[${index}]`);
    byId.set(id, labels);
  });
  return [...byId].map(([id, labels]) => ({ id, routes: labels }));
}

/** `routes[0]` or `routes[0], routes[2]`. */
export function routesLabel(target: RouteTarget): string {
  return target.routes.join(', ');
}
