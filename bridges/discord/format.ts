/**
 * Text between Discord and the rest of the bridge. Discord renders markdown (bold, spoilers, headings, masked
 * links, code) and turns `<@id>`, `<@&id>`, `<#id>`, `@everyone` and `@here` into mentions. Text going in is
 * escaped so a customer can neither ping anyone nor dress their words up as something else (a masked link to
 * another site, a heading, a spoiler); text coming out is turned into readable plain text for a phone.
 */

/** Names for the ids a Discord message mentions; looked up by the bridge before {@link discordToPlain}. */
export interface DiscordNames {
  readonly users: ReadonlyMap<string, string>;
  readonly roles: ReadonlyMap<string, string>;
  readonly channels: ReadonlyMap<string, string>;
}

const bareUrl = /https?:\/\/[^\s<>]+/g;

/**
 * Escapes text for Discord markdown. A backslash before any punctuation shows the character as it is (Discord
 * hides the backslash), so every marker is escaped: `\ * _ ~ | \` [ ] < >`, `@` in `@everyone`/`@here`, and at a
 * line start `#` (headings), `-` (subtext, lists), `>` (quotes) and `1.` (numbered lists). Bare URLs are left
 * alone so they stay clickable; they cannot carry markup (Discord's link rule takes the whole URL).
 * `allowed_mentions: { parse: [] }` already stops pings; this stops the look of them.
 */
export function escapeDiscordMarkdown(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(bareUrl)) {
    out += escapeSpan(text.slice(last, match.index));
    out += match[0];
    last = match.index + match[0].length;
  }
  out += escapeSpan(text.slice(last));
  return out;
}

function escapeSpan(text: string): string {
  return text
    .replace(/[\\*_~|`[\]<>]/g, '\\$&')
    .replace(/@(everyone|here)\b/g, '\\@$1')
    .replace(/^([ \t]*)([#-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)\.(?=[ \t])/gm, '$1\\.');
}

/** The user, role and channel ids a message mentions, to look up before {@link discordToPlain}. */
export function mentionedIds(text: string): { users: string[]; roles: string[]; channels: string[] } {
  const pick = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((match) => match[1] ?? ''))];
  return {
    users: pick(/<@!?(\d{15,21})>/g),
    roles: pick(/<@&(\d{15,21})>/g),
    channels: pick(/<#(\d{15,21})>/g),
  };
}

const token =
  /<(@!?|@&|#)(\d{15,21})>|<a?:([\w~]{1,32}):\d{15,21}>|<t:(-?\d{1,13})(?::([tTdDfFR]))?>|<\/([\w -]{1,100}):\d{15,21}>|<(https?:\/\/[^\s<>]+)>/g;
const maskedLink = /\[([^\]\n]+)\]\(<?(https?:\/\/[^\s()<>]+)>?\)/g;

/**
 * Discord markup → plain text for the phone: mentions become `@display name`, `@role name` and `#channel`,
 * custom emoji `:name:`, timestamps a UTC date/time, masked links `label (url)`, `<url>` the URL; markdown
 * markers (** __ * _ ~~ || ` ``` > # -#) are removed where they are formatting (not inside snake_case or
 * 2*3*4), and backslash escapes are undone. Code keeps its content verbatim.
 */
export function discordToPlain(text: string, names: DiscordNames): string {
  const placeholders: string[] = [];
  // Private-use characters mark kept spans: Discord clients do not let people type them by accident.
  const keep = (value: string) => `\uE000${placeholders.push(value) - 1}\uE001`;
  // One left-to-right pass, as Discord parses: an escape wins over a code marker, and code keeps its backslashes.
  let out = text.replace(
    /\\([^A-Za-z0-9\s])|```(?:[\w+#.-]*\n)?([\s\S]*?)```|``([^\n]+?)``|`([^`\n]+)`/g,
    (_m, escaped?: string, block?: string, double?: string, single?: string) =>
      keep(escaped ?? block?.replace(/\n$/, '') ?? (double ?? single ?? '').trim()),
  );
  out = out.replace(maskedLink, (_m, label: string, url: string) =>
    keep(label.trim() === url ? url : `${stripFormatting(label)} (${url})`),
  );
  out = out.replace(token, (...groups: (string | undefined)[]) => keep(renderToken(groups, names)));
  out = out.replace(bareUrl, (url) => keep(url));
  out = stripBlocks(out);
  out = stripFormatting(out);
  return restore(out, placeholders).trim();
}

function restore(text: string, placeholders: readonly string[]): string {
  let out = text;
  // Kept spans may hold other kept spans (a masked link's label); unwrap until none are left.
  for (let depth = 0; depth < 4 && out.includes('\uE000'); depth++) {
    out = out.replace(/\uE000(\d+)\uE001/g, (_m, index: string) => placeholders[Number(index)] ?? '');
  }
  return out;
}

function renderToken(groups: readonly (string | undefined)[], names: DiscordNames): string {
  const [, sigil, id, emoji, seconds, style, command, url] = groups;
  if (sigil !== undefined && id !== undefined) {
    if (sigil === '@&') return `@${names.roles.get(id) ?? 'unknown role'}`;
    if (sigil === '#') return `#${names.channels.get(id) ?? 'unknown channel'}`;
    return `@${names.users.get(id) ?? 'unknown user'}`;
  }
  if (emoji !== undefined) return `:${emoji}:`;
  if (seconds !== undefined) return renderTimestamp(Number(seconds), style ?? 'f');
  if (command !== undefined) return `/${command}`;
  return url ?? '';
}

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `<t:…:style>` as a fixed UTC text (the phone has no viewer's time zone, and "in 2 hours" would go stale). */
export function renderTimestamp(seconds: number, style: string): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return '(invalid date)';
  const pad = (value: number) => String(value).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  const day = `${months[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
  switch (style) {
    case 't':
      return `${time} UTC`;
    case 'T':
      return `${time}:${pad(date.getUTCSeconds())} UTC`;
    case 'd':
      return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    case 'D':
      return day;
    default:
      return `${day} ${time} UTC`;
  }
}

/** Block markup at line starts: headings, subtext, quotes (`>>>` quotes the rest of the message). */
function stripBlocks(text: string): string {
  return text
    .replace(/^>>> ?/m, '')
    .replace(/^> ?/gm, '')
    .replace(/^#{1,3}[ \t]+/gm, '')
    .replace(/^-#[ \t]+/gm, '');
}

/** Removes paired markers: doubled ones wherever they pair, single ones only at word boundaries. */
function stripFormatting(text: string): string {
  let out = text;
  for (const marker of ['\\*\\*', '__', '~~', '\\|\\|']) {
    out = out.replace(new RegExp(`${marker}(?=\\S)([\\s\\S]*?\\S)${marker}`, 'g'), '$1');
  }
  for (const marker of ['\\*', '_']) {
    const pattern = new RegExp(
      `(^|[\\s(\\[{"'])${marker}(?=\\S)([^${marker}\\n]*?\\S)${marker}(?=$|[\\s)\\]}"'.,;:!?])`,
      'gm',
    );
    out = out.replace(pattern, '$1$2');
  }
  return out;
}
