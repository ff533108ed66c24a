import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectOfRow, rowJson, rowOfStored, SharedStrings, type EffectRow } from '../../src/store/effect-row.js';
import { JsonText, toJson } from '../../src/store/json-text.js';
import type { Effect } from '../../src/store/store.js';

const full: Effect = {
  id: 7,
  lane: '+15550001111/cht_a|slack',
  destination: 'slack:C1',
  op: { kind: 'post', text: 'quote " and \\ and \n and ✅', nested: { n: [1, null, true] } },
  createdAt: 1_700_000_000_123,
  attempts: 2,
  attemptedAt: 1_700_000_000_500,
  notBefore: 1_700_000_001_000,
  progress: 1,
  lastError: { code: 'platform_error', message: 'HTTP 503 "busy"', at: 1_700_000_000_900 },
  deadAt: 1_700_000_002_000,
};

describe('effect rows (the embedded store keeps ops as JSON text)', () => {
  it('writes a row as the JSON of its effect, every field and the op, as JSON.stringify would', () => {
    const row = rowOfStored(full, new SharedStrings());
    assert.equal(typeof row.opText, 'string');
    assert.equal('op' in row, false);
    assert.deepEqual(JSON.parse(rowJson(row)), full);
    const bare = rowOfStored(
      { id: 1, lane: 'l', destination: 'd', op: null, createdAt: 5, attempts: 0 },
      new SharedStrings(),
    );
    assert.equal(
      rowJson(bare),
      JSON.stringify({ id: 1, lane: 'l', destination: 'd', createdAt: 5, attempts: 0, op: null }),
    );
  });

  it('writes a number JSON cannot hold as null, like JSON.stringify, so a load refuses it instead of misreading it', () => {
    const row: EffectRow = { id: 1, lane: 'l', destination: 'd', createdAt: Number.NaN, attempts: 0, opText: '1' };
    assert.equal((JSON.parse(rowJson(row)) as { createdAt: unknown }).createdAt, null);
  });

  it('gives back a frozen effect equal to the stored one, reusing an op already parsed', () => {
    const row = rowOfStored(full, new SharedStrings());
    const effect = effectOfRow(row);
    assert.deepEqual(effect, full);
    assert.equal(Object.isFrozen(effect), true);
    assert.equal(Object.isFrozen((effect.op as { nested: object }).nested), true);
    assert.equal(effectOfRow(row, effect.op).op, effect.op);
  });

  it('shares one copy of each lane and lets it go after its last use', () => {
    const strings = new SharedStrings();
    const first = ['lane', 'a'].join('|');
    const second = ['lane', 'a'].join('|');
    assert.equal(strings.take(first), first);
    assert.equal(strings.take(second), first);
    strings.release(first);
    assert.equal(strings.size, 1);
    strings.release(second);
    assert.equal(strings.size, 0);
    strings.release('never taken');
    assert.equal(strings.size, 0);
  });

  it('writes JSON a table made itself as it is, made only when written', () => {
    let made = 0;
    const text = new JsonText(() => {
      made++;
      return '{"a":1}';
    });
    assert.equal(made, 0);
    assert.equal(toJson(text), '{"a":1}');
    assert.equal(toJson({ a: 1 }), '{"a":1}');
    assert.equal(made, 1);
  });
});
