import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTextCommand } from '../../bridges/slack/command.js';

describe('parseTextCommand', () => {
  const table: [string, ReturnType<typeof parseTextCommand>][] = [
    ['+15559876543 Hello there', { handle: '+15559876543', text: 'Hello there' }],
    ['+1 (555) 987-6543 Your order is ready', { handle: '+15559876543', text: 'Your order is ready' }],
    ['  +44 20 7946 0958   Hi\nsecond line', { handle: '+442079460958', text: 'Hi\nsecond line' }],
    ['Alice@Example.com hi', { handle: 'alice@example.com', text: 'hi' }],
    ['+15559876543 5 pm works?', { handle: '+15559876543', text: '5 pm works?' }],
  ];
  for (const [input, expected] of table) {
    it(`reads ${JSON.stringify(input)}`, () => assert.deepEqual(parseTextCommand(input, '/text'), expected));
  }
  for (const input of ['', '+15559876543', '5559876543 hi', 'hello there', '+12 hi']) {
    it(`explains the usage for ${JSON.stringify(input)}`, () => {
      const result = parseTextCommand(input, '/text');
      assert.ok('error' in result);
      assert.match(result.error, /^Usage: \/text \+15551234567/);
    });
  }
});
