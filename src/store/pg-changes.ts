/** The tables of the PostgreSQL store, as its change tracking names them. */
export type PgTable = 'conversations' | 'links' | 'journal' | 'effects' | 'dedupe' | 'cursors';

/** Rows changed since the last commit: per table, the keys of rows to write (as they are now) or delete. */
export type ChangeSet = Map<PgTable, Map<string | number, 'put' | 'del'>>;

/**
 * Which rows changed since the last commit. A commit takes them (and reads the rows as they are at that
 * moment); a failed commit gives them back, under whatever changed meanwhile.
 */
export class PgChanges {
  #changes: ChangeSet = new Map();
  #count = 0;

  constructor(private readonly onChange: (table: PgTable) => void) {}

  put(table: PgTable, key: string | number): void {
    this.#mark(table, key, 'put');
  }

  del(table: PgTable, key: string | number): void {
    this.#mark(table, key, 'del');
  }

  /** Rows changed since the last take. */
  get size(): number {
    return this.#count;
  }

  /** Everything changed so far, leaving nothing behind. */
  take(): ChangeSet {
    const taken = this.#changes;
    this.#changes = new Map();
    this.#count = 0;
    return taken;
  }

  /** Gives back changes a failed commit took; what changed since wins. */
  restore(changes: ChangeSet): void {
    for (const [table, rows] of changes) {
      const now = this.#changes.get(table);
      for (const [key, kind] of rows) {
        if (now?.has(key)) continue;
        this.#mark(table, key, kind);
      }
    }
  }

  #mark(table: PgTable, key: string | number, kind: 'put' | 'del'): void {
    let rows = this.#changes.get(table);
    if (!rows) {
      rows = new Map();
      this.#changes.set(table, rows);
    }
    if (!rows.has(key)) this.#count++;
    rows.set(key, kind);
    this.onChange(table);
  }
}
