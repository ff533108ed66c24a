import type { BackfillCursor, Conversation, Effect, JournalEntry, MessageLink, Store } from './store.js';

/** The first line of an export: what it is and which version of the format. */
export const EXPORT_FORMAT = 'threadline-store-export';
export const EXPORT_VERSION = 1;

/** One line of an export after the header: a row of one table, as the store's interface speaks it. */
export type ExportRecord =
  | { readonly table: 'conversations'; readonly row: Conversation }
  | { readonly table: 'links'; readonly row: MessageLink }
  | { readonly table: 'journal'; readonly row: JournalEntry }
  | { readonly table: 'effects'; readonly row: Effect }
  | { readonly table: 'dedupe'; readonly row: { readonly key: string; readonly expiresAt: number } }
  | { readonly table: 'cursors'; readonly row: { readonly line: string; readonly cursor: BackfillCursor } };

/**
 * Everything a store holds as JSON lines (`threadline store export`): a header, then one row per line.
 * Link and effect ids, journal numbers and dedupe expiries are kept, so pending work and message links
 * carry over exactly. Read it all before writing elsewhere: the rows are a snapshot of one moment.
 */
export function* exportLines(store: Store, exportedAt = Date.now()): Generator<string> {
  yield JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt });
  const records: Iterable<ExportRecord>[] = [
    store.conversations.list().map((row) => ({ table: 'conversations', row }) as const),
    store.links.list().map((row) => ({ table: 'links', row }) as const),
    store.journal.pending().map((row) => ({ table: 'journal', row }) as const),
    store.effects.list().map((row) => ({ table: 'effects', row }) as const),
    store.dedupe.entries().map(([key, expiresAt]) => ({ table: 'dedupe', row: { key, expiresAt } }) as const),
    store.cursors.list().map(([line, cursor]) => ({ table: 'cursors', row: { line, cursor } }) as const),
  ];
  for (const list of records) for (const record of list) yield JSON.stringify(record);
}
