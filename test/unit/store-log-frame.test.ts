import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { crc32, crc32ForOlderNode, frameRecord, readFrames } from '../../src/store/log-frame.js';
import { encodeLogRecord, parseLogRecord } from '../../src/store/log-record.js';
import { StoreError } from '../../src/store/store-error.js';

const FILE = '/data/threadline.wal-000007.log';

function logOf(...records: string[]): Buffer {
  return Buffer.concat(records.map((json) => frameRecord(json)));
}

function assertCorrupt(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'store_corrupt');
    assert.equal(error.file, FILE);
    assert.ok(error.message.includes(FILE), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('store log framing', () => {
  it('frames a record as "<byte length> <crc32 hex> <json>\\n"', () => {
    const json = '{"batch":1,"text":"héllo"}';
    const framed = frameRecord(json).toString('utf8');
    const crc = zlib.crc32(Buffer.from(json)).toString(16).padStart(8, '0');
    assert.equal(framed, `${Buffer.byteLength(json)} ${crc} ${json}\n`);
  });

  it('reads back every record in order', () => {
    const records = ['{"a":1}', '{"b":"ünïcode ✓"}', '{}'];
    assert.deepEqual(readFrames(logOf(...records), FILE), { records, tornBytes: 0 });
    assert.deepEqual(readFrames(new Uint8Array(), FILE), { records: [], tornBytes: 0 });
  });

  it('ignores a torn final record, wherever the append was cut', () => {
    const whole = logOf('{"batch":1}', '{"batch":2}');
    const last = frameRecord('{"batch":3,"shards":{"cursors":{"cursors":[]}}}');
    for (let cut = 1; cut < last.length; cut++) {
      const torn = Buffer.concat([whole, last.subarray(0, cut)]);
      assert.deepEqual(
        readFrames(torn, FILE),
        { records: ['{"batch":1}', '{"batch":2}'], tornBytes: cut },
        `cut ${cut}`,
      );
    }
  });

  it('ignores a final record whose bytes did not all reach the disk (zeros, a flipped byte)', () => {
    const last = frameRecord('{"batch":2,"removed":[]}');
    const zeroed = Buffer.from(last);
    zeroed.fill(0, 8, 16);
    const flipped = Buffer.from(last);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 3) ^ 0x01, flipped.length - 3);
    for (const tail of [zeroed, flipped, Buffer.alloc(64)]) {
      const frames = readFrames(Buffer.concat([logOf('{"batch":1}'), tail]), FILE);
      assert.deepEqual(frames.records, ['{"batch":1}']);
      assert.equal(frames.tornBytes, tail.length);
    }
  });

  it('refuses a damaged record followed by a good one, naming the file', () => {
    const first = frameRecord('{"batch":1,"shards":{}}');
    const damaged = Buffer.from(first);
    damaged[damaged.length - 4] = 0x41;
    assertCorrupt(() => readFrames(Buffer.concat([damaged, logOf('{"batch":2}')]), FILE), /bad record at byte 0/);
    const shortened = Buffer.concat([first.subarray(0, 10), logOf('{"batch":2}', '{"batch":3}')]);
    assertCorrupt(() => readFrames(Buffer.concat([logOf('{"batch":0}'), shortened]), FILE), /bad record/);
  });

  it('computes the same CRC-32 without zlib.crc32 (Node 20 before 20.15)', () => {
    for (const text of ['', 'a', 'The quick brown fox jumps over the lazy dog', 'ünïcode ✓'.repeat(50)]) {
      const bytes = Buffer.from(text);
      assert.equal(crc32ForOlderNode(bytes), zlib.crc32(bytes), text);
      assert.equal(crc32(bytes), zlib.crc32(bytes));
    }
  });
});

describe('store log records', () => {
  it('round-trips a batch: shard snapshots, row deltas, removed shards and the shard list', () => {
    const json = encodeLogRecord(12, {
      shards: [
        ['journal-000001', JSON.stringify({ segment: 1, nextSeq: 300, entries: [] })],
        ['cursors', JSON.stringify({ cursors: [['+1555', { lastSentAt: 1 }]] })],
      ],
      deltas: [['dedupe-000002', JSON.stringify({ set: [['k', 5]], del: ['j'] })]],
      removed: ['journal-000000'],
      list: ['journal-000001', 'cursors'],
    });
    const record = parseLogRecord(json, FILE);
    assert.equal(record.batch, 12);
    assert.deepEqual(Object.fromEntries(record.shards), {
      'journal-000001': { segment: 1, nextSeq: 300, entries: [] },
      cursors: { cursors: [['+1555', { lastSentAt: 1 }]] },
    });
    assert.deepEqual(Object.fromEntries(record.deltas), { 'dedupe-000002': { set: [['k', 5]], del: ['j'] } });
    assert.deepEqual(record.removed, ['journal-000000']);
    assert.deepEqual(record.list, ['journal-000001', 'cursors']);
    assert.equal(parseLogRecord(encodeLogRecord(13, { shards: [], deltas: [], removed: [] }), FILE).list, undefined);
    // Records logged before deltas existed have none.
    assert.equal(parseLogRecord('{"batch":3,"shards":{},"removed":[]}', FILE).deltas.size, 0);
  });

  it('refuses a record that is not what the store writes, naming the file', () => {
    const bad = [
      ['not json', /not JSON/],
      ['{"shards":{},"removed":[]}', /no batch number/],
      ['{"batch":0,"shards":{},"removed":[]}', /no batch number/],
      ['{"batch":1,"removed":[]}', /no shards/],
      ['{"batch":1,"shards":{},"removed":"x"}', /removed shards/],
      ['{"batch":1,"shards":{"../etc":{}},"removed":[]}', /names shard/],
      ['{"batch":1,"shards":{},"removed":[],"list":[1]}', /shard list/],
    ] as const;
    for (const [json, pattern] of bad) assertCorrupt(() => parseLogRecord(json, FILE), pattern);
  });
});
