import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkLinkRow,
  createRowBounds,
  decodeLinkRow,
  encodeLinkRow,
  fieldsEqual,
  hashFields,
  hashValues,
  LinkField,
  ROW_END,
} from '../../src/store/link-row.js';
import { LinkSegment } from '../../src/store/link-segment.js';
import type { MessageLink } from '../../src/store/store.js';

const base: MessageLink = {
  id: 'link_7',
  conversation: { line: '+15551234567', chat: 'cht_abc' },
  origin: 'imessage',
  createdAt: 1_700_000_000_123,
};

describe('link rows', () => {
  const cases: [string, MessageLink][] = [
    ['bare', base],
    [
      'every side',
      {
        ...base,
        origin: 'slack',
        delivery: 'failed',
        imessage: { id: 'msg_1', guid: '0C7F3A3E-5A8B-4B5E-9D1C-1F2E3D4C5B6A', outboxId: 'obx_1' },
        slack: { channel: 'C0123', ts: '1700000000.000100' },
        discord: { channel: '112233', id: '998877' },
      },
    ],
    ['only an outbox id', { ...base, origin: 'discord', delivery: 'pending', imessage: { outboxId: 'obx_2' } }],
    [
      'separators and escapes inside fields',
      {
        ...base,
        conversation: { line: 'ana|bob@example.com', chat: 'cht \\ x' },
        imessage: { guid: '\\p\\s|| \\' },
        slack: { channel: 'C 1', ts: '1|2' },
      },
    ],
    ['non-ASCII', { ...base, conversation: { line: 'zoë@example.com', chat: 'cht_ü' }, imessage: { id: 'msg_😀' } }],
  ];

  for (const [name, link] of cases) {
    it(`round-trips a link: ${name}`, () => {
      const { id, ...rest } = link;
      const row = encodeLinkRow(rest);
      assert.equal(row.includes(ROW_END), false, 'a row never contains the row terminator');
      assert.equal(checkLinkRow(row, 0, row.length, createRowBounds()), undefined);
      assert.deepEqual(decodeLinkRow(id, row), link);
    });
  }

  it('hashes and compares a field in place the way a lookup value is hashed', () => {
    const row = encodeLinkRow({ ...base, slack: { channel: 'C|1', ts: '5.5' } });
    const text = `${ROW_END}${ROW_END}${row}${ROW_END}`;
    const bounds = createRowBounds();
    assert.equal(checkLinkRow(text, 2, 2 + row.length, bounds), undefined);
    const fields = [LinkField.slackChannel, LinkField.slackTs];
    assert.equal(hashFields(text, bounds, fields), hashValues(['C|1', '5.5']));
    assert.equal(fieldsEqual(text, bounds, fields, ['C|1', '5.5']), true);
    assert.equal(fieldsEqual(text, bounds, fields, ['C|1', '5.50']), false);
    assert.equal(fieldsEqual(text, bounds, fields, ['C', '5.5']), false);
    assert.equal(hashFields(text, bounds, [LinkField.discordId]), undefined, 'an empty field has no key');
  });

  const bad: [string, string, RegExp][] = [
    ['too few fields', 'a|b|i', /expected 12 fields, found 3/],
    ['unknown origin', 'l|c|x|1||||||||', /unknown origin/],
    ['unknown delivery', 'l|c|i|1|z|||||||', /unknown delivery/],
    ['bad createdAt', 'l|c|i||s|||||||', /bad createdAt/],
  ];
  for (const [name, row, pattern] of bad) {
    it(`reports a malformed row: ${name}`, () => {
      assert.match(checkLinkRow(row, 0, row.length, createRowBounds()) ?? '', pattern);
    });
  }
});

describe('LinkSegment', () => {
  const row = (n: number) => encodeLinkRow({ ...base, imessage: { id: `msg_${n}` } });

  it('appends, replaces and reads rows back, and round-trips through its text', () => {
    const segment = new LinkSegment(3, 4);
    for (let n = 0; n < 4; n++) segment.append(row(n));
    assert.equal(segment.full, true);
    assert.throws(() => segment.append(row(4)), RangeError);
    segment.replace(1, row(11));
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => segment.row(i)),
      [row(0), row(11), row(2), row(3)],
    );
    const copy = LinkSegment.fromText(3, 4, segment.text);
    assert.ok(copy instanceof LinkSegment);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => copy.row(i)),
      [row(0), row(11), row(2), row(3)],
    );
  });

  it('empties pruned rows and keeps its head after a reload', () => {
    const segment = new LinkSegment(0, 8);
    for (let n = 0; n < 5; n++) segment.append(row(n));
    segment.clearBefore(3);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => segment.row(i)),
      [null, null, null, row(3), row(4)],
    );
    segment.replace(4, row(44));
    assert.equal(segment.row(4), row(44));
    const copy = LinkSegment.fromText(0, 8, segment.text);
    assert.ok(copy instanceof LinkSegment);
    assert.equal(copy.head, 3);
    assert.equal(copy.count, 5);
    assert.equal(copy.row(3), row(3));
  });

  it('rejects text that cannot be a segment', () => {
    assert.equal(LinkSegment.fromText(0, 2, row(1)), 'the last row is not terminated');
    assert.equal(LinkSegment.fromText(0, 1, `${row(1)} ${row(2)} `), 'more than 1 rows');
  });
});
