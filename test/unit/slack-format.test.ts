import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { escapeMrkdwn, mentionedIds, slackToPlain } from '../../bridges/slack/format.js';

const corpus = JSON.parse(readFileSync(new URL('../fixtures/slack/to-plain.json', import.meta.url), 'utf8')) as [
  string,
  string,
][];
const names = {
  users: new Map([
    ['U0ALICE', 'Alice Smith'],
    ['U0BOB', 'Bob'],
  ]),
  channels: new Map([['C0SUPPORT', 'support']]),
};

describe('slackToPlain (golden corpus)', () => {
  for (const [input, expected] of corpus) {
    it(JSON.stringify(input), () => {
      assert.equal(slackToPlain(input, names), expected);
    });
  }
});

describe('escapeMrkdwn', () => {
  it('neutralises every ping and disguised link a customer could type', () => {
    const customer = '<!channel> @here <@U123> <#C123> <https://evil.example|bank.com> & co';
    const escaped = escapeMrkdwn(customer);
    assert.equal(
      escaped,
      '&lt;!channel&gt; @here &lt;@U123&gt; &lt;#C123&gt; &lt;https://evil.example|bank.com&gt; &amp; co',
    );
    assert.ok(!/<[!@#h]/.test(escaped));
    assert.deepEqual(mentionedIds(escaped), { users: [], channels: [] });
  });

  it('round-trips: escaped text comes back out as the customer wrote it', () => {
    const customer = 'a < b & c > d <!here>';
    assert.equal(slackToPlain(escapeMrkdwn(customer), names), customer);
  });
});

describe('mentionedIds', () => {
  it('lists users and unlabelled channels to look up', () => {
    assert.deepEqual(mentionedIds('<@U1> <@U2|x> <#C1> <#C2|named> <!here>'), {
      users: ['U1', 'U2'],
      channels: ['C1'],
    });
  });
});
