import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { earliestFinish, sumTallies, tallyStream } from '../helpers/chaos-tally.js';

describe('chaos tally', () => {
  it('finds nothing wrong in a stream delivered once, in order', () => {
    const report = tallyStream('c01 slack', ['a', 'b', 'c'], ['a', 'b', 'c']);
    assert.deepEqual([report.lost, report.duplicated, report.outOfOrder], [0, 0, 0]);
  });

  it('counts a loss, a duplicate and a reorder, and names them', () => {
    const report = tallyStream('c01 phone', ['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'c']);
    assert.equal(report.lost, 1, 'd never came');
    assert.equal(report.duplicated, 1, 'c came twice');
    assert.equal(report.outOfOrder, 1, 'b came after c');
    assert.deepEqual(report.examples, ['late b', 'twice c', 'lost d']);
  });

  it('counts a token nobody sent as a duplicate', () => {
    assert.equal(tallyStream('s', ['a'], ['a', 'x']).duplicated, 1);
  });

  it('sums streams', () => {
    const sum = sumTallies([tallyStream('1', ['a', 'b'], ['b', 'a']), tallyStream('2', ['a', 'b'], ['a'])]);
    assert.deepEqual(sum, { lost: 1, duplicated: 0, outOfOrder: 1 });
  });
});

describe('earliest finish under a pace', () => {
  it('is one call per interval for a backlog ready at once (burst 1)', () => {
    assert.equal(earliestFinish([0, 0, 0, 0], 1000, { count: 1, perMs: 1000 }), 4000);
  });

  it('uses a window of five at once, then waits for it to free', () => {
    const ready = Array.from({ length: 7 }, () => 0);
    assert.equal(earliestFinish(ready, 0, { count: 5, perMs: 5000 }), 5000);
  });

  it('never goes before a call is ready', () => {
    assert.equal(earliestFinish([0, 10_000], 0, { count: 1, perMs: 1000 }), 10_000);
  });

  it('is the start when there is nothing to do', () => {
    assert.equal(earliestFinish([], 42, { count: 1, perMs: 1000 }), 42);
  });
});
