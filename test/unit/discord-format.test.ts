import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  discordToPlain,
  escapeDiscordMarkdown,
  mentionedIds,
  renderTimestamp,
  type DiscordNames,
} from '../../bridges/discord/format.js';
import { nonceOf, threadName, webhookUsername } from '../../bridges/discord/ids.js';

const corpus = JSON.parse(readFileSync(new URL('../fixtures/discord/to-plain.json', import.meta.url), 'utf8')) as [
  string,
  string,
][];
const names: DiscordNames = {
  users: new Map([
    ['444444444444444441', 'Alice'],
    ['444444444444444442', 'Bob'],
  ]),
  roles: new Map([['555555555555555551', 'Support']]),
  channels: new Map([['112233445566778899', 'support']]),
};
const none: DiscordNames = { users: new Map(), roles: new Map(), channels: new Map() };

describe('discordToPlain (golden corpus)', () => {
  for (const [input, expected] of corpus) {
    it(JSON.stringify(input), () => {
      assert.equal(discordToPlain(input, names), expected);
    });
  }
});

describe('mentionedIds', () => {
  it('lists each user, role and channel once, and ignores escaped or code-free lookalikes of other kinds', () => {
    assert.deepEqual(
      mentionedIds(
        '<@444444444444444441> <@!444444444444444441> <@&555555555555555551> <#112233445566778899> @everyone',
      ),
      { users: ['444444444444444441'], roles: ['555555555555555551'], channels: ['112233445566778899'] },
    );
  });
});

describe('renderTimestamp', () => {
  it('renders every style in UTC and survives nonsense', () => {
    assert.equal(renderTimestamp(0, 'f'), 'January 1, 1970 00:00 UTC');
    assert.equal(renderTimestamp(1e15, 'f'), '(invalid date)');
  });
});

describe('escapeDiscordMarkdown', () => {
  const spoofs = [
    '@everyone <@&555555555555555551> <@444444444444444441> @here',
    '[bank.com](https://evil.example/login)',
    '# URGENT\n-# small print\n> quoted\n1. first',
    '||spoiler|| **bold** __under__ ~~strike~~ `code` ```block``` *it* _it_',
    '<#112233445566778899> <:party:777777777777777777> <t:1700000000:R> <https://hidden.example>',
    'back\\slash \\*already escaped\\*',
  ];

  it('leaves no markup: each escaped text reads back exactly as the customer wrote it', () => {
    for (const text of spoofs) {
      assert.equal(discordToPlain(escapeDiscordMarkdown(text), none), text.trim(), text);
    }
  });

  it('neutralises mentions, masked links, headings, spoilers and code', () => {
    const escaped = escapeDiscordMarkdown(spoofs.join('\n'));
    assert.deepEqual(mentionedIds(escaped), { users: [], roles: [], channels: [] });
    assert.ok(!/(^|[^\\])@(everyone|here)/.test(escaped), escaped);
    assert.ok(!/(^|[^\\])\[[^\]]*[^\\]\]\(/.test(escaped), `masked link survived: ${escaped}`);
    assert.ok(!/^#/m.test(escaped) && !/^-#/m.test(escaped) && !/^>/m.test(escaped), escaped);
    assert.ok(!/(^|[^\\])(\|\||\*\*|__|~~|`)/.test(escaped), escaped);
  });

  it('keeps bare URLs clickable and plain text untouched', () => {
    assert.equal(escapeDiscordMarkdown('Track at https://example.com/a_b?x=1'), 'Track at https://example.com/a_b?x=1');
    assert.equal(escapeDiscordMarkdown('Hi, order 42 is ready.'), 'Hi, order 42 is ready.');
  });
});

describe('Discord ids', () => {
  it('makes nonces of at most 25 characters, stable per key and part', () => {
    const nonce = nonceOf('imessage:msg_0123456789abcdefghijklmnopqrstuvwxyz', 0);
    assert.ok(nonce.length <= 25);
    assert.equal(nonce, nonceOf('imessage:msg_0123456789abcdefghijklmnopqrstuvwxyz', 0));
    assert.notEqual(nonce, nonceOf('imessage:msg_0123456789abcdefghijklmnopqrstuvwxyz', 1));
  });

  it('names threads after the contact and the line, within 100 characters', () => {
    const info = { key: { line: '+15551234567', chat: 'cht_1' }, participants: ['+15559876543'] };
    assert.equal(threadName(info), '+15559876543 → +15551234567');
    assert.equal(threadName({ ...info, displayName: 'Alice Example' }), 'Alice Example (+15559876543) → +15551234567');
    const long = threadName({ ...info, displayName: 'x'.repeat(300) });
    assert.ok([...long].length <= 100);
    assert.match(
      threadName({ ...info, isGroup: true, participants: ['+1555', '+1666'], displayName: 'Family' }),
      /^Family \(\+1555, \+1666\)/,
    );
  });

  it('makes webhook usernames Discord accepts', () => {
    for (const name of ['Discord Support', 'clyde', 'everyone', '', 'a@b#c:d```', 'y'.repeat(200)]) {
      const username = webhookUsername(name);
      assert.ok(!/discord|clyde/i.test(username), username);
      assert.ok(!/[@#:]|```/.test(username), username);
      assert.ok(username.trim().length >= 1 && [...username].length <= 80, username);
      assert.ok(!['everyone', 'here'].includes(username.toLowerCase()), username);
    }
  });
});
