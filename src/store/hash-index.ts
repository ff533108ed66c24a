/**
 * A slot holds its location plus one, so that an empty slot is 0: a new table is then zeroed memory,
 * which the system maps in page by page as entries land, rather than memory filled up front (a table
 * sized for a million rows that gets none costs nothing).
 */
const EMPTY = 0;
const TOMBSTONE = 0xffffffff;
const MIN_CAPACITY = 1024;

/** The largest location a {@link HashIndex} can hold (two slot values are reserved as markers). */
export const MAX_LOCATION = TOMBSTONE - 2;

/**
 * An open-addressing hash index from a key's hash to a location (a row number), stored in one
 * `Uint32Array`: 4 bytes per slot instead of the ~40 bytes a `Map` entry costs, which is what lets a
 * million message links fit in memory. The index does not hold keys: callers compare candidates
 * through `matches`, and growth re-hashes locations through `hashOf`.
 */
export class HashIndex {
  readonly #hashOf: (location: number) => number;
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  #tombstones = 0;

  /**
   * @param hashOf hash of the key currently stored at a location (used when the table grows)
   * @param expected number of entries to size the table for
   */
  constructor(hashOf: (location: number) => number, expected = 0) {
    this.#hashOf = hashOf;
    this.#slots = new Uint32Array(capacityFor(expected * 2));
    this.#mask = this.#slots.length - 1;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Adds an entry; duplicates are allowed (callers remove the old location first). */
  add(hash: number, location: number): void {
    if (location > MAX_LOCATION) throw new RangeError(`Expected a location below ${MAX_LOCATION}, got ${location}`);
    if ((this.#size + this.#tombstones + 1) * 2 > this.#slots.length) this.#rehash();
    this.#insert(hash, location + 1);
    this.#size++;
  }

  /**
   * The greatest location filed under `hash` for which `matches` is true: when two rows carry the same
   * key, the newer row (higher location) wins.
   */
  find(hash: number, matches: (location: number) => boolean): number | undefined {
    const slots = this.#slots;
    let found: number | undefined;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const value = slots[i] ?? EMPTY;
      if (value === EMPTY) return found;
      if (value !== TOMBSTONE && (found === undefined || value - 1 > found) && matches(value - 1)) found = value - 1;
    }
  }

  /** Removes the entry for `location` filed under `hash`; false when there is none. */
  remove(hash: number, location: number): boolean {
    const slots = this.#slots;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const value = slots[i] ?? EMPTY;
      if (value === EMPTY) return false;
      if (value === location + 1) {
        slots[i] = TOMBSTONE;
        this.#size--;
        this.#tombstones++;
        return true;
      }
    }
  }

  /** Gives back memory when the table is much larger than its entries need (after sizing for the worst case). */
  shrinkToFit(): void {
    const capacity = capacityFor(this.#size * 2);
    if (capacity * 4 <= this.#slots.length) this.#rebuild(capacity);
  }

  /** Files a slot value (a location plus one) under `hash`. */
  #insert(hash: number, value: number): void {
    const slots = this.#slots;
    let i = hash & this.#mask;
    for (;;) {
      const current = slots[i] ?? EMPTY;
      if (current === EMPTY || current === TOMBSTONE) break;
      i = (i + 1) & this.#mask;
    }
    if (slots[i] === TOMBSTONE) this.#tombstones--;
    slots[i] = value;
  }

  #rehash(): void {
    // Grow to a load of a quarter, so a table does not rehash again soon after.
    this.#rebuild(capacityFor((this.#size + 1) * 4));
  }

  #rebuild(capacity: number): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(capacity);
    this.#mask = this.#slots.length - 1;
    this.#tombstones = 0;
    // An empty table's old slots are not read: most of their memory was never touched.
    if (this.#size === 0) return;
    for (const value of old) {
      if (value !== EMPTY && value !== TOMBSTONE) this.#insert(this.#hashOf(value - 1), value);
    }
  }
}

/** The smallest power of two holding at least `slots` slots. */
function capacityFor(slots: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < slots) capacity *= 2;
  return capacity;
}

/**
 * Buffers entries for one index and adds them a chunk at a time. Loading several large indexes row by
 * row touches a random cache line of each table per row; filling one table at a time keeps its table
 * in cache, which makes start-up with a million links about a third faster.
 */
export class HashIndexLoader {
  readonly #index: HashIndex;
  readonly #hashes: Uint32Array;
  readonly #locations: Uint32Array;
  #count = 0;

  constructor(index: HashIndex, chunk = 65_536) {
    this.#index = index;
    this.#hashes = new Uint32Array(chunk);
    this.#locations = new Uint32Array(chunk);
  }

  push(hash: number, location: number): void {
    this.#hashes[this.#count] = hash;
    this.#locations[this.#count] = location;
    if (++this.#count === this.#hashes.length) this.flush();
  }

  /** Adds everything buffered to the index. */
  flush(): void {
    for (let i = 0; i < this.#count; i++) this.#index.add(this.#hashes[i] ?? 0, this.#locations[i] ?? 0);
    this.#count = 0;
  }
}
