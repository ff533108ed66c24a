import { invalidParameter } from './errors.js';
import type { Params } from './params.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

interface CursorBody {
  /** Which list the cursor belongs to (a cursor from another list is rejected). */
  s: string;
  /** Index into the list's stable order of the first item not yet returned. */
  i: number;
}

export function parseLimit(params: Params): number {
  const raw = params['limit'];
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_LIMIT) {
    throw invalidParameter('limit', `limit must be an integer between 1 and ${MAX_LIMIT}`);
  }
  return value;
}

function encodeCursor(body: CursorBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function decodeCursor(cursor: string, scope: string): number {
  try {
    const body: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof body === 'object' && body !== null && 's' in body && 'i' in body) {
      const { s, i } = body as Record<string, unknown>;
      if (s === scope && typeof i === 'number' && Number.isInteger(i) && i >= 0) return i;
    }
  } catch {
    // fall through to the uniform error below
  }
  throw invalidParameter('cursor', 'cursor is not valid for this list');
}

/**
 * One page of `items`, which must be in a stable order that only grows at the end, listed newest first
 * (from the end backwards). The cursor counts from the start, so items added while paging do not shift it.
 */
export function pageNewestFirst<T>(items: readonly T[], params: Params, scope: string): Page<T> {
  const limit = parseLimit(params);
  const cursor = params['cursor'];
  const end = typeof cursor === 'string' && cursor !== '' ? decodeCursor(cursor, scope) : items.length;
  const start = Math.max(0, Math.min(end, items.length) - limit);
  const data = items.slice(start, Math.min(end, items.length)).reverse();
  const hasMore = start > 0;
  return { data, has_more: hasMore, next_cursor: hasMore ? encodeCursor({ s: scope, i: start }) : null };
}

/** A list that documents no paging: everything in one page. */
export function singlePage<T>(data: T[]): Page<T> {
  return { data, has_more: false, next_cursor: null };
}
