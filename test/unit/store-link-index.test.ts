import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LinkIndexes } from '../../src/store/link-index.js';
import { encodeLinkRow } from '../../src/store/link-row.js';
import { LinkSegment } from '../../src/store/link-segment.js';
import { waitFor } from '../helpers/wait-for.js';

const PER_SEGMENT = 4;

function row(n: number, slackTs = `${n}.000100`): string {
  return encodeLinkRow({
    conversation: { line: '+15551234567', chat: 'cht_1' },
    origin: 'imessage',
    createdAt: 1_700_000_000_000 + n,
    imessage: { id: `msg_${n}` },
    slack: { channel: 'C1', ts: slackTs },
  });
}

/** Segments 0…count-1 full of rows numbered by their location, as loaded at open, and indexes over them. */
function loaded(count: number): { segments: Map<number, LinkSegment>; indexes: LinkIndexes } {
  const segments = new Map<number, LinkSegment>();
  for (let no = 0; no < count; no++) {
    const segment = new LinkSegment(no, PER_SEGMENT);
    for (let slot = 0; slot < PER_SEGMENT; slot++) segment.append(row(no * PER_SEGMENT + slot));
    segments.set(no, segment);
  }
  const indexes = new LinkIndexes({ perSegment: PER_SEGMENT, segment: (no) => segments.get(no) }, count * PER_SEGMENT);
  return { segments, indexes };
}

/** Replaces a row the way the link table does: keys out, row replaced, keys in. */
function replace(indexes: LinkIndexes, segments: Map<number, LinkSegment>, location: number, next: string): void {
  const segment = segments.get(Math.floor(location / PER_SEGMENT));
  const slot = location % PER_SEGMENT;
  const current = segment?.row(slot);
  assert.ok(segment && current);
  indexes.remove(current, 0, current.length, location);
  segment.replace(slot, next);
  indexes.add(next, 0, next.length, location);
}

describe('LinkIndexes', () => {
  it('indexes the rows stored at open in the background, a segment per step', async () => {
    const { indexes } = loaded(3);
    indexes.buildInBackground([0, 1, 2], 0);
    assert.equal(indexes.building, true);
    await nextTurn();
    assert.equal(indexes.building, true, 'one step, one segment');
    await waitFor(() => !indexes.building);
    for (let location = 0; location < 12; location++) {
      assert.equal(indexes.find('imessageId', [`msg_${location}`]), location);
      assert.equal(indexes.find('slack', ['C1', `${location}.000100`]), location);
    }
    assert.equal(indexes.find('outboxId', ['obx_1']), undefined);
  });

  it('finishes the build before a lookup, so a lookup right after open misses nothing', () => {
    const { indexes } = loaded(3);
    indexes.buildInBackground([0, 1, 2], 0);
    assert.equal(indexes.find('imessageId', ['msg_11']), 11);
    assert.equal(indexes.building, false);
  });

  it('keeps every key right through changes made while the build is half done', async () => {
    const { segments, indexes } = loaded(3);
    indexes.buildInBackground([0, 1, 2], 0);
    await nextTurn();
    // Segment 0 is indexed; 1 and 2 are not. Change a row in each, add one to the last and one in a new segment.
    replace(indexes, segments, 1, row(1, '901.000100'));
    replace(indexes, segments, 9, row(9, '909.000100'));
    const appended = row(99);
    const last = new LinkSegment(3, PER_SEGMENT);
    last.append(appended);
    segments.set(3, last);
    indexes.add(appended, 0, appended.length, 12);
    await waitFor(() => !indexes.building);
    assert.equal(indexes.find('slack', ['C1', '1.000100']), undefined);
    assert.equal(indexes.find('slack', ['C1', '901.000100']), 1);
    assert.equal(indexes.find('slack', ['C1', '9.000100']), undefined);
    assert.equal(indexes.find('slack', ['C1', '909.000100']), 9);
    assert.equal(indexes.find('imessageId', ['msg_99']), 12);
    assert.equal(indexes.find('imessageId', ['msg_5']), 5);
  });

  it('stops building when told (the store closed), and a lookup still finishes the build', async () => {
    const { indexes } = loaded(3);
    indexes.buildInBackground([0, 1, 2], 0);
    indexes.stop();
    await nextTurn();
    await nextTurn();
    assert.equal(indexes.building, true);
    assert.equal(indexes.find('imessageId', ['msg_7']), 7);
  });

  it('skips a segment dropped before its turn (pruned right after open)', async () => {
    const { segments, indexes } = loaded(3);
    indexes.buildInBackground([0, 1, 2], 0);
    segments.delete(0);
    await waitFor(() => !indexes.building);
    assert.equal(indexes.find('imessageId', ['msg_1']), undefined);
    assert.equal(indexes.find('imessageId', ['msg_4']), 4);
  });
});
