/**
 * The one reaction table: iMessage tapbacks ↔ Unicode emoji ↔ Slack names, both ways (DESIGN behaviour 3).
 *
 * - Phone → team: a tapback `type` becomes its emoji. Types outside the six (newer iOS emoji tapbacks) are
 *   shown as the emoji they carry, or as the word itself; they are never dropped.
 * - Team → phone: an emoji becomes a tapback when it is one of the six or a near variant of one (`FOLDS`).
 *   Emoji are compared without variation selectors, skin tones or ZWJ gender signs (`normalizeEmoji`).
 * - Anything else follows the unmapped rule. The default is `ignore`: iMessage keeps one live tapback per
 *   sender per message, so a guessed tapback would reach a customer although nobody chose it, and could
 *   replace one somebody did choose. `nearest` opts into the small sentiment table in `NEAREST`.
 * - Slack names live here too so there is one table; the Slack bridge translates names at its boundary.
 */

/** The six iMessage tapbacks, by their messages.dev `type` names. */
export type Tapback = 'love' | 'like' | 'dislike' | 'laugh' | 'emphasize' | 'question';
export const TAPBACKS: readonly Tapback[] = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'];

/** What happens to a team reaction that is not a tapback or a near variant of one. */
export type UnmappedRule = 'nearest' | 'ignore';

/** A team reaction's fate on the phone side: the tapback to send, or a hint to show the team instead. */
export type TapbackResult = { readonly tapback: Tapback } | { readonly ignored: true; readonly hint: string };

export interface ReactionOverrides {
  /** The emoji the team sees for a tapback; the same emoji also maps back to that tapback. */
  readonly tapbackToEmoji?: Partial<Record<Tapback, string>>;
  /** The rule for emoji outside the table; `ignore` when absent. */
  readonly unmapped?: UnmappedRule;
}

export interface ReactionTable {
  /** The unmapped rule `emojiToTapback` uses when the caller names none. */
  readonly unmapped: UnmappedRule;
  /** Phone → team: the emoji for a messages.dev reaction `type`. Never empty, never throws. */
  readonly tapbackToEmoji: (type: string) => string;
  /** Team → phone: the tapback for a Unicode emoji (or a `:slack_name:`), or why nothing is sent. */
  readonly emojiToTapback: (emoji: string, rule?: UnmappedRule) => TapbackResult;
  /** A Slack reaction name (`+1`, `:heart:`, `thumbsup::skin-tone-3`) as Unicode; undefined when unknown. */
  readonly slackNameToEmoji: (name: string) => string | undefined;
  /** The Slack name for an emoji the table knows (the six give `heart`, `+1`, `-1`, `joy`, `bangbang`, `question`). */
  readonly emojiToSlackName: (emoji: string) => string | undefined;
}

const DEFAULT_EMOJI: Readonly<Record<Tapback, string>> = {
  love: '❤️',
  like: '👍',
  dislike: '👎',
  laugh: '😂',
  emphasize: '‼️',
  question: '❓',
};

/**
 * Team reactions that are the tapback in all but form. `love` takes genuine hearts only: every heart colour,
 * the heart symbols (❣️ 💕 💖 💗 💓 💞) and the two heart faces 😍 🥰. Not 💔 (it says the opposite), ♥️ (a
 * card suit), ❤️‍🔥 or ❤️‍🩹 (other feelings). Forms without U+FE0F (❤ ‼) and skin tones (👍🏽) match by
 * normalisation.
 */
const FOLDS: Readonly<Record<Tapback, string>> = {
  love: '❤️ 🧡 💛 💚 💙 💜 🖤 🤍 🤎 🩷 🩵 🩶 ❣️ 💕 💖 💗 💓 💞 😍 🥰',
  like: '👍',
  dislike: '👎',
  laugh: '😂 😹 😆 🤣',
  emphasize: '‼️ ❗ ❕',
  question: '❓ ❔',
};

/**
 * The `nearest` rule's sentiment groups. Approval and celebration go to `like`, not `emphasize`: in
 * iMessage ‼️ reads as "this is important", while 🎉 👏 ✅ say "good, done". Alarms go to `emphasize`,
 * puzzlement to `question`, rejection and anger to `dislike`, grins to `laugh`, affection that is not a heart
 * to `love`. Anything else (💔 😢 👀 🙈 …) has no honest nearest tapback and is ignored with a hint.
 */
const NEAREST: Readonly<Record<Tapback, string>> = {
  love: '💘 💝 💟 ♥️ 😘 😻 🫶',
  like: '🎉 🙌 👏 💯 🔥 ✅ ✔️ ☑️ 👌 🤝 🙏 💪 ⭐ 🌟 🚀 🥳 🙂 😊',
  dislike: '❌ ✖️ 🚫 ⛔ 🙅 😞 😠 😡',
  laugh: '😄 😁 😅 😸 😜 😝 🤪',
  emphasize: '⚠️ 🚨 📢 📣 📌',
  question: '🤔 🧐 🤷 😕 ⁉️',
};

/** Slack name → emoji, as `name emoji` pairs. The first name listed for an emoji is the one written back. */
const SLACK_NAMES = `
  +1 👍  thumbsup 👍  -1 👎  thumbsdown 👎  heart ❤️  joy 😂  laughing 😆  satisfied 😆  joy_cat 😹
  rolling_on_the_floor_laughing 🤣  bangbang ‼️  exclamation ❗  heavy_exclamation_mark ❗  grey_exclamation ❕
  question ❓  grey_question ❔  orange_heart 🧡  yellow_heart 💛  green_heart 💚  blue_heart 💙  purple_heart 💜
  black_heart 🖤  white_heart 🤍  brown_heart 🤎  pink_heart 🩷  light_blue_heart 🩵  grey_heart 🩶
  heavy_heart_exclamation_mark_ornament ❣️  heart_exclamation ❣️  two_hearts 💕  sparkling_heart 💖  heartpulse 💗
  heartbeat 💓  revolving_hearts 💞  heart_eyes 😍  smiling_face_with_3_hearts 🥰
  cupid 💘  gift_heart 💝  heart_decoration 💟  hearts ♥️  kissing_heart 😘  heart_eyes_cat 😻  heart_hands 🫶
  tada 🎉  raised_hands 🙌  clap 👏  100 💯  fire 🔥  white_check_mark ✅  heavy_check_mark ✔️  ballot_box_with_check ☑️
  ok_hand 👌  handshake 🤝  pray 🙏  muscle 💪  star ⭐  star2 🌟  rocket 🚀  partying_face 🥳
  slightly_smiling_face 🙂  blush 😊  x ❌  heavy_multiplication_x ✖️  no_entry_sign 🚫  no_entry ⛔  no_good 🙅
  disappointed 😞  angry 😠  rage 😡  smile 😄  grin 😁  sweat_smile 😅  smile_cat 😸  stuck_out_tongue_winking_eye 😜
  stuck_out_tongue_closed_eyes 😝  zany_face 🤪  warning ⚠️  rotating_light 🚨  loudspeaker 📢  mega 📣  pushpin 📌
  thinking_face 🤔  face_with_monocle 🧐  shrug 🤷  confused 😕  interrobang ⁉️
`;

const IGNORABLE = /[\uFE0E\uFE0F]|[\u{1F3FB}-\u{1F3FF}]|\u200D[\u2640\u2642]/gu;
const SKIN_TONE = /[\u{1F3FB}-\u{1F3FF}]/u;
const MODIFIER_BASE = /^\p{Emoji_Modifier_Base}$/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const SLACK_NAME = /^:?([\w+-]+)(?:::skin-tone-(\d))?:?$/;
const COLON_NAME = /^:[\w+-]+(?:::skin-tone-\d)?:$/;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The comparison key of an emoji: no variation selectors, skin tones or ZWJ gender signs, no whitespace. */
export function normalizeEmoji(emoji: string): string {
  return emoji.trim().replace(IGNORABLE, '');
}

/** True for the six tapback names exactly as messages.dev writes them (lower case). */
export function isTapback(value: string): value is Tapback {
  return (TAPBACKS as readonly string[]).includes(value);
}

function indexGroups(
  groups: Readonly<Record<Tapback, string>>,
  into = new Map<string, Tapback>(),
): Map<string, Tapback> {
  for (const tapback of TAPBACKS) {
    for (const emoji of groups[tapback].split(' ')) {
      const key = normalizeEmoji(emoji);
      if (!into.has(key)) into.set(key, tapback);
    }
  }
  return into;
}

const NAME_TO_EMOJI = new Map<string, string>();
const EMOJI_TO_NAME = new Map<string, string>();
const pairs = SLACK_NAMES.trim().split(/\s+/);
for (let i = 0; i + 1 < pairs.length; i += 2) {
  const [name, emoji] = [pairs[i] ?? '', pairs[i + 1] ?? ''];
  NAME_TO_EMOJI.set(name, emoji);
  if (!EMOJI_TO_NAME.has(normalizeEmoji(emoji))) EMOJI_TO_NAME.set(normalizeEmoji(emoji), name);
}
const NEAREST_INDEX = indexGroups(NEAREST);

function slackNameToEmoji(name: string): string | undefined {
  const match = SLACK_NAME.exec(name.trim());
  const emoji = match?.[1] === undefined ? undefined : NAME_TO_EMOJI.get(match[1]);
  const tone = Number(match?.[2]);
  // Slack writes skin tones 2–6 (🏻–🏿); a tone on an emoji that takes none would make an invalid emoji.
  if (emoji === undefined || !(tone >= 2 && tone <= 6) || !MODIFIER_BASE.test(emoji)) return emoji;
  return emoji + String.fromCodePoint(0x1f3fb + tone - 2);
}

function emojiToSlackName(emoji: string): string | undefined {
  const name = EMOJI_TO_NAME.get(normalizeEmoji(emoji));
  const tone = SKIN_TONE.exec(emoji)?.[0].codePointAt(0);
  if (name === undefined || tone === undefined || !MODIFIER_BASE.test(NAME_TO_EMOJI.get(name) ?? '')) return name;
  return `${name}::skin-tone-${tone - 0x1f3fb + 2}`;
}

/** The emoji graphemes in a string (`🫡` from `🫡` or `emoji:🫡`), joined; empty when there are none. */
function extractEmoji(text: string): string {
  return Array.from(graphemes.segment(text), (part) => part.segment)
    .filter((grapheme) => PICTOGRAPHIC.test(grapheme))
    .join('');
}

/** Builds a table with config overrides applied; `defaultReactionTable` is the one with none. */
export function createReactionTable(overrides: ReactionOverrides = {}): ReactionTable {
  const shown: Record<Tapback, string> = { ...DEFAULT_EMOJI };
  const exact = new Map<string, Tapback>();
  for (const tapback of TAPBACKS) {
    const emoji = overrides.tapbackToEmoji?.[tapback]?.trim();
    if (emoji) {
      shown[tapback] = emoji;
      // An override wins over the folds so the team can tap the emoji it sees and send that tapback back.
      if (!exact.has(normalizeEmoji(emoji))) exact.set(normalizeEmoji(emoji), tapback);
    }
  }
  indexGroups(FOLDS, exact);
  const unmapped = overrides.unmapped ?? 'ignore';
  const accepted = TAPBACKS.map((tapback) => shown[tapback]).join(' ');

  return Object.freeze({
    unmapped,
    tapbackToEmoji(type: string): string {
      const word = type.trim();
      const lower = word.toLowerCase();
      if (isTapback(lower)) return shown[lower];
      return extractEmoji(word) || word || 'reaction';
    },
    emojiToTapback(emoji: string, rule: UnmappedRule = unmapped): TapbackResult {
      const label = emoji.trim();
      const resolved = COLON_NAME.test(label) ? (slackNameToEmoji(label) ?? label) : label;
      const key = normalizeEmoji(resolved);
      const tapback = exact.get(key) ?? (rule === 'nearest' ? NEAREST_INDEX.get(key) : undefined);
      if (tapback !== undefined) return { tapback };
      return { ignored: true, hint: `iMessage only takes ${accepted}; ${label || 'an empty reaction'} was not sent` };
    },
    slackNameToEmoji,
    emojiToSlackName,
  });
}

export const defaultReactionTable: ReactionTable = createReactionTable();

/** The default table's functions, for callers that take no config. */
export const { tapbackToEmoji, emojiToTapback } = defaultReactionTable;
export { slackNameToEmoji, emojiToSlackName };
