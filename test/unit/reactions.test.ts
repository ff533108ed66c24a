import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TAPBACKS,
  createReactionTable,
  defaultReactionTable,
  emojiToSlackName,
  emojiToTapback,
  isTapback,
  normalizeEmoji,
  slackNameToEmoji,
  tapbackToEmoji,
} from '../../src/core/reactions.js';
import type { Tapback } from '../../src/core/reactions.js';

const SIX: ReadonlyArray<[Tapback, string, string]> = [
  ['love', '❤️', 'heart'],
  ['like', '👍', '+1'],
  ['dislike', '👎', '-1'],
  ['laugh', '😂', 'joy'],
  ['emphasize', '‼️', 'bangbang'],
  ['question', '❓', 'question'],
];
const TONES = ['\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];
const DEFAULT_HINT = 'iMessage only takes ❤️ 👍 👎 😂 ‼️ ❓';

void test('tapbacks', async (t) => {
  await t.test('lists the six in messages.dev order and recognises only them', () => {
    assert.deepEqual(TAPBACKS, ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question']);
    for (const tapback of TAPBACKS) assert.ok(isTapback(tapback));
    for (const other of ['Love', 'heart', '', 'sticker']) assert.equal(isTapback(other), false);
  });

  for (const [tapback, emoji, name] of SIX) {
    await t.test(`maps ${tapback} ↔ ${emoji} ↔ :${name}:`, () => {
      assert.equal(tapbackToEmoji(tapback), emoji);
      assert.equal(tapbackToEmoji(` ${tapback.toUpperCase()} `), emoji);
      assert.deepEqual(emojiToTapback(emoji, 'ignore'), { tapback });
      assert.deepEqual(emojiToTapback(emoji, 'nearest'), { tapback });
      assert.equal(emojiToSlackName(emoji), name);
      assert.equal(slackNameToEmoji(name), emoji);
    });
  }
});

void test('inbound folding (team emoji → tapback)', async (t) => {
  const folds: ReadonlyArray<[Tapback, string]> = [
    ['love', '❤️ ❤ 🧡 💛 💚 💙 💜 🖤 🤍 🤎 🩷 🩵 🩶 ❣️ ❣ 💕 💖 💗 💓 💞 😍 🥰 ❤︎'],
    ['laugh', '😹 😆 🤣 😂'],
    ['emphasize', '❗ ❗️ ❕ ‼ ‼️ ‼︎'],
    ['question', '❔ ❓ ❓️'],
    ['like', ['👍', '👍️', ...TONES.map((tone) => `👍${tone}`)].join(' ')],
    ['dislike', ['👎', '👎️', ...TONES.map((tone) => `👎${tone}`)].join(' ')],
  ];
  for (const [tapback, list] of folds) {
    for (const emoji of list.split(' ')) {
      await t.test(
        `folds ${emoji} (${[...emoji].map((c) => c.codePointAt(0)?.toString(16)).join(' ')}) to ${tapback}`,
        () => {
          assert.deepEqual(emojiToTapback(emoji, 'ignore'), { tapback });
          assert.deepEqual(emojiToTapback(` ${emoji} `, 'ignore'), { tapback });
        },
      );
    }
  }

  await t.test('keeps love to genuine hearts: broken, card-suit and ZWJ hearts are not folded', () => {
    for (const emoji of ['💔', '♥️', '❤️‍🔥', '❤️‍🩹', '😻']) {
      assert.deepEqual(emojiToTapback(emoji, 'ignore'), {
        ignored: true,
        hint: `${DEFAULT_HINT}; ${emoji} was not sent`,
      });
    }
  });

  await t.test('normalises variation selectors, skin tones and gender signs only', () => {
    assert.equal(normalizeEmoji(' ❤️ '), '❤');
    assert.equal(normalizeEmoji('👍🏾'), '👍');
    assert.equal(normalizeEmoji('🤷🏽‍♀️'), '🤷');
    assert.equal(normalizeEmoji('❤️‍🔥'), '❤\u200D🔥');
  });
});

void test('phone → team (tapback type → emoji)', async (t) => {
  const cases: ReadonlyArray<[string, string]> = [
    ['🫡', '🫡'],
    ['❤️', '❤️'],
    ['👍🏽', '👍🏽'],
    ['🇫🇷', '🇫🇷'],
    ['emoji:🫠', '🫠'],
    ['sticker', 'sticker'],
    ['  Celebrate ', 'Celebrate'],
    ['', 'reaction'],
    ['   ', 'reaction'],
  ];
  for (const [type, shown] of cases) {
    await t.test(`shows unknown type ${JSON.stringify(type)} as ${JSON.stringify(shown)}`, () => {
      assert.equal(tapbackToEmoji(type), shown);
    });
  }
});

void test('team → phone, unmapped rule', async (t) => {
  await t.test("defaults to 'ignore' with a hint naming what was not sent", () => {
    assert.equal(defaultReactionTable.unmapped, 'ignore');
    assert.equal(createReactionTable().unmapped, 'ignore');
    assert.deepEqual(emojiToTapback('🎉'), { ignored: true, hint: `${DEFAULT_HINT}; 🎉 was not sent` });
    assert.deepEqual(emojiToTapback(':tada:'), { ignored: true, hint: `${DEFAULT_HINT}; :tada: was not sent` });
    assert.deepEqual(emojiToTapback(':partyparrot:'), {
      ignored: true,
      hint: `${DEFAULT_HINT}; :partyparrot: was not sent`,
    });
    assert.deepEqual(emojiToTapback(''), { ignored: true, hint: `${DEFAULT_HINT}; an empty reaction was not sent` });
  });

  const nearest: ReadonlyArray<[Tapback, string]> = [
    ['love', '💘 💝 💟 ♥️ ♥ 😘 😻 🫶 🫶🏼'],
    ['like', '🎉 🙌 🙌🏿 👏 👏🏽 💯 🔥 ✅ ✔️ ✔ ☑️ 👌 🤝 🙏 💪 ⭐ 🌟 🚀 🥳 🙂 😊'],
    ['dislike', '❌ ✖️ 🚫 ⛔ 🙅 🙅‍♂️ 😞 😠 😡'],
    ['laugh', '😄 😁 😅 😸 😜 😝 🤪'],
    ['emphasize', '⚠️ ⚠ 🚨 📢 📣 📌'],
    ['question', '🤔 🧐 🤷 🤷🏽‍♀️ 😕 ⁉️'],
  ];
  const table = createReactionTable({ unmapped: 'nearest' });
  for (const [tapback, list] of nearest) {
    await t.test(`'nearest' maps ${list} to ${tapback}; 'ignore' does not`, () => {
      for (const emoji of list.split(' ')) {
        assert.deepEqual(table.emojiToTapback(emoji), { tapback }, emoji);
        assert.deepEqual(emojiToTapback(emoji, 'nearest'), { tapback }, emoji);
        assert.ok('ignored' in emojiToTapback(emoji, 'ignore'), emoji);
      }
    });
  }

  await t.test("'nearest' resolves :slack_names: and still ignores emoji with no honest nearest", () => {
    assert.equal(table.unmapped, 'nearest');
    assert.deepEqual(table.emojiToTapback(':tada:'), { tapback: 'like' });
    assert.deepEqual(table.emojiToTapback(':clap::skin-tone-3:'), { tapback: 'like' });
    assert.deepEqual(table.emojiToTapback(':yellow_heart:'), { tapback: 'love' });
    for (const emoji of ['💔', '😢', '👀', '🙈', 'lol']) {
      assert.deepEqual(table.emojiToTapback(emoji), { ignored: true, hint: `${DEFAULT_HINT}; ${emoji} was not sent` });
    }
    assert.ok('ignored' in table.emojiToTapback('🎉', 'ignore'), 'a per-call rule wins over the table rule');
  });
});

void test('overrides', async (t) => {
  const table = createReactionTable({ tapbackToEmoji: { love: '💖', like: '✅', laugh: ' ' } });

  await t.test('shows the overridden emoji and keeps the others', () => {
    const shown = TAPBACKS.map((tapback) => table.tapbackToEmoji(tapback));
    assert.deepEqual(shown, ['💖', '✅', '👎', '😂', '‼️', '❓']);
  });

  await t.test('maps an overridden emoji back to its tapback, even under ignore, and keeps the folds', () => {
    assert.equal(table.unmapped, 'ignore');
    assert.deepEqual(table.emojiToTapback('✅'), { tapback: 'like' });
    assert.deepEqual(table.emojiToTapback('✔️'), {
      ignored: true,
      hint: 'iMessage only takes 💖 ✅ 👎 😂 ‼️ ❓; ✔️ was not sent',
    });
    assert.deepEqual(table.emojiToTapback('💖'), { tapback: 'love' });
    assert.deepEqual(table.emojiToTapback('❤️'), { tapback: 'love' });
    assert.deepEqual(table.emojiToTapback('👍'), { tapback: 'like' });
    assert.equal(table.emojiToSlackName('✅'), 'white_check_mark');
  });

  await t.test('lets an override take an emoji from another tapback fold', () => {
    const odd = createReactionTable({ tapbackToEmoji: { emphasize: '💛' } });
    assert.deepEqual(odd.emojiToTapback('💛'), { tapback: 'emphasize' });
    assert.deepEqual(odd.emojiToTapback('💚'), { tapback: 'love' });
  });

  await t.test('leaves the default table alone and is frozen', () => {
    assert.equal(tapbackToEmoji('love'), '❤️');
    assert.ok('ignored' in emojiToTapback('✅'));
    assert.ok(Object.isFrozen(table));
  });
});

void test('Slack names', async (t) => {
  const names: ReadonlyArray<[string, string, Tapback]> = [
    ['+1', '👍', 'like'],
    ['thumbsup', '👍', 'like'],
    ['-1', '👎', 'dislike'],
    ['thumbsdown', '👎', 'dislike'],
    ['heart', '❤️', 'love'],
    ['joy', '😂', 'laugh'],
    ['laughing', '😆', 'laugh'],
    ['bangbang', '‼️', 'emphasize'],
    ['exclamation', '❗', 'emphasize'],
    ['grey_exclamation', '❕', 'emphasize'],
    ['question', '❓', 'question'],
    ['grey_question', '❔', 'question'],
    ['yellow_heart', '💛', 'love'],
    ['orange_heart', '🧡', 'love'],
    ['purple_heart', '💜', 'love'],
    ['pink_heart', '🩷', 'love'],
    ['light_blue_heart', '🩵', 'love'],
    ['grey_heart', '🩶', 'love'],
    ['two_hearts', '💕', 'love'],
    ['heart_eyes', '😍', 'love'],
    ['joy_cat', '😹', 'laugh'],
  ];
  for (const [name, emoji, tapback] of names) {
    await t.test(`reads :${name}: as ${emoji}, which folds to ${tapback}`, () => {
      assert.equal(slackNameToEmoji(name), emoji);
      assert.equal(slackNameToEmoji(`:${name}:`), emoji);
      assert.deepEqual(emojiToTapback(slackNameToEmoji(name) ?? '', 'ignore'), { tapback });
    });
  }

  for (const [tone, modifier] of TONES.map((modifier, i) => [i + 2, modifier] as const)) {
    await t.test(`reads skin-tone-${tone} as ${modifier} and writes it back`, () => {
      assert.equal(slackNameToEmoji(`+1::skin-tone-${tone}`), `👍${modifier}`);
      assert.equal(slackNameToEmoji(`thumbsdown::skin-tone-${tone}`), `👎${modifier}`);
      assert.equal(slackNameToEmoji(`:thumbsup::skin-tone-${tone}:`), `👍${modifier}`);
      assert.equal(emojiToSlackName(`👍${modifier}`), `+1::skin-tone-${tone}`);
      assert.deepEqual(emojiToTapback(slackNameToEmoji(`-1::skin-tone-${tone}`) ?? '', 'ignore'), {
        tapback: 'dislike',
      });
    });
  }

  await t.test('drops a skin tone where it would make an invalid emoji', () => {
    assert.equal(slackNameToEmoji('heart::skin-tone-3'), '❤️');
    assert.equal(slackNameToEmoji('+1::skin-tone-9'), '👍');
    assert.equal(slackNameToEmoji('+1::skin-tone-1'), '👍');
  });

  await t.test('returns undefined for unknown names and emoji', () => {
    for (const name of ['partyparrot', '', ':', 'thumbs up', 'HEART'])
      assert.equal(slackNameToEmoji(name), undefined, name);
    for (const emoji of ['🫡', '💔', '', 'heart']) assert.equal(emojiToSlackName(emoji), undefined, emoji);
  });

  await t.test('writes the canonical name for forms without the variation selector', () => {
    assert.equal(emojiToSlackName('❤'), 'heart');
    assert.equal(emojiToSlackName('‼'), 'bangbang');
    assert.equal(emojiToSlackName('😆'), 'laughing');
    assert.equal(emojiToSlackName('❤️\u{1F3FD}'), 'heart');
  });
});
