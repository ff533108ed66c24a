import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitText } from '../../src/core/split-text.js';

describe('splitText', () => {
  it('keeps short text whole', () => {
    assert.deepEqual(splitText('hello', 2000), ['hello']);
    assert.deepEqual(splitText('', 2000), ['']);
  });

  it('splits 4,500 characters of prose into ordered parts of at most 2,000 on word boundaries', () => {
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words, 2000);
    assert.ok(parts.length >= 3);
    for (const part of parts) {
      assert.ok(part.length <= 2000, `part of ${part.length}`);
      assert.ok(!part.startsWith(' ') && !part.endsWith(' '));
    }
    assert.equal(parts.join(' '), words, 'nothing lost, order kept');
  });

  it('prefers line breaks and paragraphs over spaces', () => {
    const text = `${'a'.repeat(30)}\n${'b'.repeat(30)}\n\n${'c'.repeat(30)}`;
    assert.deepEqual(splitText(text, 70), [`${'a'.repeat(30)}\n${'b'.repeat(30)}`, 'c'.repeat(30)]);
    assert.deepEqual(splitText(`${'a'.repeat(30)} ${'b'.repeat(30)}\n${'c'.repeat(5)}`, 64), [
      `${'a'.repeat(30)} ${'b'.repeat(30)}`,
      'ccccc',
    ]);
  });

  it('hard-cuts a word longer than the limit without splitting a surrogate pair', () => {
    const emoji = '😀'.repeat(5); // 10 UTF-16 units
    const parts = splitText(emoji, 5);
    for (const part of parts) assert.ok(!/[\uD800-\uDBFF]$/.test(part) && !/^[\uDC00-\uDFFF]/.test(part));
    assert.equal(parts.join(''), emoji);
    assert.deepEqual(splitText('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});
