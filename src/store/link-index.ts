import { HashIndex, HashIndexLoader } from './hash-index.js';
import { LINK_KEYS, type LinkKey } from './link-keys.js';
import { createRowBounds, fieldsEqual, hashFields, hashValues, scanRow, type LinkFieldIndex } from './link-row.js';
import type { LinkSegment } from './link-segment.js';

const KEY_ENTRIES = Object.entries(LINK_KEYS) as [LinkKey, readonly LinkFieldIndex[]][];
/**
 * How long one step of the background build may hold the event loop. A commit's timer or a request
 * that becomes ready during a step waits for it to end, so a step is kept short.
 */
const STEP_MS = 1;
/** Entries buffered per key: a step indexes a few thousand rows, then flushes. */
const LOADER_CHUNK = 16_384;

interface KeyIndex {
  readonly fields: readonly LinkFieldIndex[];
  readonly index: HashIndex;
}

/** Where the indexes read rows: a link's location is its row number, `perSegment` rows per segment. */
export interface LinkRows {
  readonly perSegment: number;
  segment(no: number): LinkSegment | undefined;
}

/**
 * The hash index of each lookup key of the link table (`LINK_KEYS`), from the key's hash to row numbers.
 *
 * At open the rows already stored are indexed in the background, a few segments per event-loop turn,
 * rather than before the store opens: hashing a million rows takes about as long as loading them, and a
 * daemon has other things to start meanwhile. A segment not indexed yet is left alone by `add` and
 * `remove` (its rows are indexed as they are when its turn comes); a lookup first finishes the build, so
 * it never misses a row. Rows added after open are in segments indexed already, or in new ones.
 */
export class LinkIndexes {
  readonly #rows: LinkRows;
  readonly #indexes = new Map<LinkKey, KeyIndex>();
  /** Scratch for scanning one row at a time. */
  readonly #bounds = createRowBounds();
  /** Separate scratch for re-hashing: an index grows in the middle of `add`, which holds `#bounds`. */
  readonly #rehashBounds = createRowBounds();
  /** Segments stored at open and not indexed yet: `#pending[#pendingAt…]`, ascending. */
  #pending: readonly number[] = [];
  #pendingAt = 0;
  /** The background build's buffers, one per key (see HashIndexLoader). */
  #loaders: { readonly fields: readonly LinkFieldIndex[]; readonly loader: HashIndexLoader }[] = [];
  #step: ReturnType<typeof setImmediate> | undefined;

  /** Empty indexes, each sized for `expected` entries (untouched memory until entries land). */
  constructor(rows: LinkRows, expected: number) {
    this.#rows = rows;
    for (const [key, fields] of KEY_ENTRIES) {
      const hashOf = (location: number): number => {
        const { segment, slot } = this.#locate(location);
        if (!segment) return 0;
        scanRow(segment.text, segment.start(slot), segment.end(slot), this.#rehashBounds);
        return hashFields(segment.text, this.#rehashBounds, fields) ?? 0;
      };
      this.#indexes.set(key, { fields, index: new HashIndex(hashOf, expected) });
    }
  }

  /** True until every segment stored at open is indexed. */
  get building(): boolean {
    return this.#pendingAt < this.#pending.length;
  }

  /**
   * Starts indexing the segments `numbers` (ascending, all stored at open, none indexed yet) in the
   * background, one step of about `stepMs` per event-loop turn (at least one segment); every later
   * segment is indexed as its rows are added.
   */
  buildInBackground(numbers: readonly number[], stepMs = STEP_MS): void {
    this.#pending = numbers;
    this.#pendingAt = 0;
    this.#loaders = [...this.#indexes.values()].map(({ fields, index }) => ({
      fields,
      loader: new HashIndexLoader(index, LOADER_CHUNK),
    }));
    this.#schedule(stepMs);
  }

  /** Indexes whatever the background build has not reached yet, now. */
  finishBuilding(): void {
    if (this.#step) clearImmediate(this.#step);
    this.#step = undefined;
    this.#build(Number.POSITIVE_INFINITY);
  }

  /** Stops the background build (the store is closing); lookups would still finish it. */
  stop(): void {
    if (this.#step) clearImmediate(this.#step);
    this.#step = undefined;
  }

  /** Files the keys of the row at `text[start..end)`, stored at `location`. */
  add(text: string, start: number, end: number, location: number): void {
    this.#file(text, start, end, location, 'add');
  }

  /** Removes the keys of the row at `text[start..end)`, stored at `location`. */
  remove(text: string, start: number, end: number, location: number): void {
    this.#file(text, start, end, location, 'remove');
  }

  /** The newest location whose row holds `values` in the fields of `key`. */
  find(key: LinkKey, values: readonly string[]): number | undefined {
    if (this.building) this.finishBuilding();
    const entry = this.#indexes.get(key);
    return entry?.index.find(hashValues(values), (candidate) => {
      const { segment, slot } = this.#locate(candidate);
      if (!segment || segment.isEmpty(slot)) return false;
      scanRow(segment.text, segment.start(slot), segment.end(slot), this.#bounds);
      return fieldsEqual(segment.text, this.#bounds, entry.fields, values);
    });
  }

  #file(text: string, start: number, end: number, location: number, change: 'add' | 'remove'): void {
    if (this.#isPending(location)) return;
    scanRow(text, start, end, this.#bounds);
    for (const { fields, index } of this.#indexes.values()) {
      const hash = hashFields(text, this.#bounds, fields);
      if (hash !== undefined) index[change](hash, location);
    }
  }

  #schedule(stepMs: number): void {
    this.#step = this.building
      ? setImmediate(() => {
          this.#build(stepMs);
          this.#schedule(stepMs);
        })
      : undefined;
  }

  /** Indexes pending segments, whole ones, until `budgetMs` has passed or none is left. */
  #build(budgetMs: number): void {
    if (!this.building) return;
    const started = performance.now();
    do {
      const segment = this.#rows.segment(this.#pending[this.#pendingAt] ?? -1);
      if (segment) this.#indexSegment(segment);
      this.#pendingAt++;
    } while (this.building && performance.now() - started < budgetMs);
    // Flushed before the segments count as indexed to `add` and `remove`.
    for (const { loader } of this.#loaders) loader.flush();
    if (this.building) return;
    this.#pending = [];
    this.#pendingAt = 0;
    this.#loaders = [];
    // Indexes were sized for every row; a key few rows carry (outbox ids) need not keep that room.
    for (const { index } of this.#indexes.values()) index.shrinkToFit();
  }

  #indexSegment(segment: LinkSegment): void {
    const text = segment.text;
    const bounds = this.#bounds;
    const base = segment.no * this.#rows.perSegment;
    for (let i = segment.head; i < segment.count; i++) {
      if (segment.isEmpty(i)) continue;
      scanRow(text, segment.start(i), segment.end(i), bounds);
      for (const { fields, loader } of this.#loaders) {
        const hash = hashFields(text, bounds, fields);
        if (hash !== undefined) loader.push(hash, base + i);
      }
    }
  }

  /** True when `location` is in a segment the background build has not reached. */
  #isPending(location: number): boolean {
    if (!this.building) return false;
    const no = Math.floor(location / this.#rows.perSegment);
    return no >= (this.#pending[this.#pendingAt] ?? 0) && no <= (this.#pending.at(-1) ?? -1);
  }

  #locate(location: number): { segment: LinkSegment | undefined; slot: number } {
    const no = Math.floor(location / this.#rows.perSegment);
    return { segment: this.#rows.segment(no), slot: location - no * this.#rows.perSegment };
  }
}
