import { ROW_END, type LinkRow } from './link-row.js';

/**
 * One segment of message links: up to `capacity` rows held back to back in a single string, each ended
 * by {@link ROW_END}, with the end offset of every row in a typed array. A pruned row is empty. A
 * segment file holds the same string (`{ "segment": 12, "rows": "…" }`), so loading a segment is one
 * JSON string and no per-row objects.
 */
export class LinkSegment {
  readonly no: number;
  readonly capacity: number;
  #text: string;
  /** `#ends[i]` is the offset just past row `i`'s terminator. */
  readonly #ends: Uint32Array;
  #count: number;
  #head: number;

  constructor(no: number, capacity: number) {
    this.no = no;
    this.capacity = capacity;
    this.#text = '';
    this.#ends = new Uint32Array(capacity);
    this.#count = 0;
    this.#head = 0;
  }

  /** A segment from a file's `rows` text; a string saying what is wrong when it cannot be one. */
  static fromText(no: number, capacity: number, text: string): LinkSegment | string {
    const segment = new LinkSegment(no, capacity);
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf(ROW_END, start);
      if (end === -1) return 'the last row is not terminated';
      if (segment.#count >= capacity) return `more than ${capacity} rows`;
      segment.#ends[segment.#count++] = end + 1;
      start = end + 1;
    }
    segment.#text = text;
    while (segment.#head < segment.#count && segment.isEmpty(segment.#head)) segment.#head++;
    return segment;
  }

  /** All rows, as written to the segment's file. */
  get text(): string {
    return this.#text;
  }

  /** Rows written so far, pruned ones included. */
  get count(): number {
    return this.#count;
  }

  /** Every row before this one is pruned. */
  get head(): number {
    return this.#head;
  }

  /** True once every slot has been used (new rows go to the next segment). */
  get full(): boolean {
    return this.#count >= this.capacity;
  }

  /** Offset of row `i` in {@link LinkSegment.text}. */
  start(i: number): number {
    return i === 0 ? 0 : (this.#ends[i - 1] ?? 0);
  }

  /** Offset just past row `i` (where its terminator is). */
  end(i: number): number {
    return (this.#ends[i] ?? 1) - 1;
  }

  isEmpty(i: number): boolean {
    return i >= this.#count || this.start(i) === this.end(i);
  }

  /** Row `i` as its own string (not pinning the segment's text), or null when pruned or absent. */
  row(i: number): LinkRow | null {
    if (this.isEmpty(i)) return null;
    // Concatenate-then-slice makes V8 copy the row, so a decoded link does not keep the whole text alive.
    return (ROW_END + this.#text.slice(this.start(i), this.end(i))).slice(1);
  }

  append(row: LinkRow): void {
    if (this.full) throw new RangeError(`Link segment ${this.no} is full`);
    this.#text += row + ROW_END;
    this.#ends[this.#count++] = this.#text.length;
  }

  replace(i: number, row: LinkRow): void {
    const start = this.start(i);
    const end = this.end(i);
    this.#text = this.#text.slice(0, start) + row + this.#text.slice(end);
    this.#shift(i, row.length - (end - start));
  }

  /**
   * Sets row `i` when replaying the log: the next row is appended, an existing one replaced (an empty
   * `row` is a pruned one). Returns what is wrong when `i` would leave a gap.
   */
  put(i: number, row: LinkRow): string | undefined {
    if (!Number.isInteger(i) || i < 0 || i > this.#count || i >= this.capacity)
      return `puts row ${i} of ${this.#count}`;
    if (row.includes(ROW_END)) return 'holds a row terminator';
    if (i === this.#count) this.append(row);
    else this.replace(i, row);
    return undefined;
  }

  /** Empties every row before `head` (pruning). */
  clearBefore(head: number): void {
    if (head <= this.#head) return;
    const keep = this.start(head);
    this.#text = ROW_END.repeat(head) + this.#text.slice(keep);
    for (let i = 0; i < head; i++) this.#ends[i] = i + 1;
    this.#shift(head, head - keep);
    this.#head = head;
  }

  #shift(from: number, delta: number): void {
    if (delta === 0) return;
    for (let i = from; i < this.#count; i++) this.#ends[i] = (this.#ends[i] ?? 0) + delta;
  }
}
