import type { SimCore } from '../core.js';
import type { UploadedFile } from '../http-io.js';

export interface RouteContext {
  core: SimCore;
  method: string;
  /** Values of the template's `:name` segments (percent-decoded). */
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  files: UploadedFile[];
}

export interface RouteResult {
  status: number;
  /** The JSON answered; undefined answers 204 with no body. */
  body?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path after /api/v10 with `:name` segments, e.g. '/channels/:channel/messages'. */
  template: string;
  /** False for routes Discord serves without a bot token (webhook execution with its token). */
  auth: boolean;
  handle: (context: RouteContext) => RouteResult | Promise<RouteResult>;
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const noContent = (): RouteResult => ({ status: 204 });

/** A string param that the template guarantees. */
export function param(context: RouteContext, name: string): string {
  return context.params[name] ?? '';
}

export type RouteMatch =
  { kind: 'found'; route: Route; params: Record<string, string> } | { kind: 'wrong-method' } | { kind: 'none' };

/** Finds the route for a path (first template in table order wins). */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split('/').slice(1);
  let pathMatched = false;
  for (const route of routes) {
    const params = matchTemplate(route.template, segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    pathMatched = true;
  }
  return pathMatched ? { kind: 'wrong-method' } : { kind: 'none' };
}

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
