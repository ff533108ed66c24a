import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasControlByte, parseStoreBytes } from '../../src/store/store-file-bytes.js';
import { StoreError } from '../../src/store/store-error.js';

/** What the store read before: the file's UTF-8 text through JSON.parse. */
function viaJsonParse(bytes: Buffer): unknown {
  return JSON.parse(bytes.toString('utf8')) as unknown;
}

describe('parseStoreBytes', () => {
  const same: [string, string | Buffer][] = [
    ['a stamped link segment', '{"batch":12,"data":{"segment":3,"rows":"+1555|cht_1|i|mx|s|msg_1||||||| "}}'],
    ['a version 1 link segment (no stamp)', '{"segment":0,"rows":""}'],
    ['an empty object', '{}'],
    ['zero and a 15-digit number', '{"a":0,"b":123456789012345}'],
    ['non-ASCII text', '{"rows":"zoë|😀|ü "}'],
    [
      'a conversation shard (arrays)',
      '{"batch":1,"data":{"shard":"01","conversations":[{"key":{"line":"+1","chat":"c"}}]}}',
    ],
    ['escapes', '{"rows":"a\\\\p|\\"q\\" \\u0001"}'],
    ['whitespace', '{ "batch": 1, "data": {} }\n'],
    ['a leading zero (JSON.parse refuses it)', '{"batch":01}'],
    ['a 16-digit number', '{"batch":1234567890123456}'],
    ['a fraction and an exponent', '{"a":1.5,"b":1e3}'],
    ['a negative number', '{"a":-1}'],
    ['literals', '{"a":true,"b":null}'],
    ['a duplicate key (the last wins)', '{"a":"x","a":"y"}'],
    ['a __proto__ key', '{"__proto__":{"polluted":"yes"},"b":1}'],
    ['a raw control character inside a string (JSON.parse refuses it)', '{"rows":"a\u0001b"}'],
    ['a raw NUL', Buffer.from('{"rows":"a\u0000b"}', 'latin1')],
    [
      'invalid UTF-8 (replaced, as a UTF-8 decode does)',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc3, 0x22, 0x7d]),
    ],
    ['trailing garbage', '{"a":1}x'],
    ['a truncated file', '{"batch":1,"data":{"segment":0,"rows":"half'],
    ['an empty file', ''],
    ['a byte order mark', '\ufeff{"a":1}'],
  ];
  for (const [name, input] of same) {
    it(`reads ${name} exactly as JSON.parse does`, () => {
      const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
      let expected: { value: unknown } | { error: true };
      try {
        expected = { value: viaJsonParse(bytes) };
      } catch {
        expected = { error: true };
      }
      if ('error' in expected) {
        assert.throws(
          () => parseStoreBytes(bytes, 'shard.json'),
          (error) => error instanceof StoreError && error.code === 'store_corrupt' && error.file === 'shard.json',
        );
        return;
      }
      const actual = parseStoreBytes(bytes, 'shard.json');
      assert.deepEqual(actual, expected.value);
      assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected.value));
    });
  }

  it('reads a string at any offset inside a larger buffer (a reused read buffer)', () => {
    const pool = Buffer.alloc(64, 0x20);
    const json = '{"rows":"abc|def "}';
    for (let offset = 0; offset < 5; offset++) {
      pool.write(json, offset, 'utf8');
      assert.deepEqual(parseStoreBytes(pool.subarray(offset, offset + json.length), 'f'), { rows: 'abc|def ' });
    }
  });
});

describe('hasControlByte', () => {
  it('finds a byte below 0x20 at every position and alignment, and nothing in plain text', () => {
    const text = Buffer.from(' !"#~\x7f\x80\xff'.repeat(4), 'latin1');
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length + offset <= text.length; length++) {
        const view = text.subarray(offset, offset + length);
        assert.equal(hasControlByte(view), false, `offset ${offset} length ${length}`);
        for (let at = 0; at < length; at++) {
          const copy = Buffer.from(text);
          copy[offset + at] = at % 2 === 0 ? 0x00 : 0x1f;
          assert.equal(hasControlByte(copy.subarray(offset, offset + length)), true, `offset ${offset} at ${at}`);
        }
      }
    }
  });
});
