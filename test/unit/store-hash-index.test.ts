import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HashIndex, HashIndexLoader, MAX_LOCATION } from '../../src/store/hash-index.js';
import { hashString } from '../../src/store/hash.js';

/** An index over `keys[location]`, the way the link table uses one over rows. */
function indexOver(
  keys: (string | undefined)[],
  expected = 0,
): { index: HashIndex; find: (key: string) => number | undefined } {
  const index = new HashIndex((location) => hashString(keys[location] ?? ''), expected);
  const find = (key: string) => index.find(hashString(key), (location) => keys[location] === key);
  return { index, find };
}

describe('HashIndex', () => {
  it('finds what was added, through growth far past its first capacity', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `msg_${i}`);
    const { index, find } = indexOver(keys);
    keys.forEach((key, location) => index.add(hashString(key), location));
    assert.equal(index.size, 20_000);
    for (let i = 0; i < 20_000; i += 7) assert.equal(find(`msg_${i}`), i);
    assert.equal(find('msg_20000'), undefined);
  });

  it('removes one location and leaves colliding entries findable', () => {
    const keys = ['a', 'b', 'c'];
    // Every key in one probe chain: the worst case for removal.
    const index = new HashIndex(() => 7);
    keys.forEach((_, location) => index.add(7, location));
    assert.equal(index.remove(7, 1), true);
    assert.equal(index.remove(7, 1), false);
    assert.equal(
      index.find(7, (location) => keys[location] === 'c'),
      2,
    );
    assert.equal(
      index.find(7, (location) => keys[location] === 'b'),
      undefined,
    );
    assert.equal(index.size, 2);
  });

  it('returns the greatest matching location when a key is filed twice', () => {
    const keys = ['dup', 'x', 'dup'];
    const { index, find } = indexOver(keys);
    keys.forEach((key, location) => index.add(hashString(key), location));
    assert.equal(find('dup'), 2);
    index.remove(hashString('dup'), 2);
    assert.equal(find('dup'), 0);
  });

  it('stays correct through many removals and re-adds (tombstones, rehashes)', () => {
    const n = 3000;
    // Location i and i + n hold the same key: moving a key between them is a remove plus an add.
    const keys = Array.from({ length: 2 * n }, (_, i) => `k${i % n}`);
    const { index, find } = indexOver(keys);
    for (let i = 0; i < n; i++) index.add(hashString(`k${i}`), i);
    for (let round = 1; round <= 6; round++) {
      const [from, to] = round % 2 === 1 ? [0, n] : [n, 0];
      for (let i = 1; i < n; i += 2) {
        index.remove(hashString(`k${i}`), i + from);
        index.add(hashString(`k${i}`), i + to);
      }
      for (let i = 0; i < n; i++) assert.equal(find(`k${i}`), i % 2 === 1 ? i + to : i, `round ${round}, k${i}`);
      assert.equal(index.size, n);
    }
  });

  it('shrinks a table sized for many entries that got few, and still finds them', () => {
    const keys = ['only'];
    const { index, find } = indexOver(keys, 1_000_000);
    index.add(hashString('only'), 0);
    index.shrinkToFit();
    assert.equal(find('only'), 0);
    index.add(hashString('only'), 0);
    assert.equal(index.size, 2);
  });

  it('loads entries in chunks through HashIndexLoader', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `id${i}`);
    const { index, find } = indexOver(keys, keys.length);
    const loader = new HashIndexLoader(index, 64);
    keys.forEach((key, location) => loader.push(hashString(key), location));
    assert.equal(index.size, 960, 'full chunks are added as they fill');
    loader.flush();
    assert.equal(index.size, 1000);
    assert.equal(find('id999'), 999);
  });

  it('refuses a location it cannot store', () => {
    assert.throws(() => new HashIndex(() => 0).add(1, 0xffffffff), RangeError);
    assert.throws(() => new HashIndex(() => 0).add(1, MAX_LOCATION + 1), RangeError);
  });

  it('stores location 0 and the largest location (an empty slot is not a location)', () => {
    const index = new HashIndex(() => 5);
    index.add(5, 0);
    index.add(5, MAX_LOCATION);
    assert.equal(
      index.find(5, (location) => location === 0),
      0,
    );
    assert.equal(
      index.find(5, () => true),
      MAX_LOCATION,
    );
    assert.equal(index.remove(5, 0), true);
    assert.equal(
      index.find(5, (location) => location === 0),
      undefined,
    );
  });
});
