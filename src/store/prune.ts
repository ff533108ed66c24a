import type { Logger } from 'pino';
import type { PruneResult } from './store.js';

/** The tables a store prunes by age; each returns how many rows it removed. */
export interface PrunableTables {
  readonly links: { prune(now: number): number };
  readonly dedupe: { prune(now: number): number };
  readonly effects: { prune(now: number): number };
}

/** One retention pass over every store's tables (the embedded store and PostgreSQL share it). */
export function pruneTables(tables: PrunableTables, now: number, logger: Logger | undefined): PruneResult {
  const result = {
    links: tables.links.prune(now),
    dedupeKeys: tables.dedupe.prune(now),
    deadLetters: tables.effects.prune(now),
  };
  if (result.links + result.dedupeKeys + result.deadLetters > 0) logger?.debug(result, 'Pruned store');
  return result;
}
