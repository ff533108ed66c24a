/**
 * Text between Slack and the rest of the bridge. Slack's markup ("mrkdwn") makes `<…>` special: it
 * carries links, user and channel mentions and @here/@channel broadcasts. Text going in is escaped so a
 * customer can never cause any of those; text coming out is turned into readable plain text for a phone.
 */

/** Escapes text for mrkdwn: only `&`, `<` and `>` are special, and escaping them neutralises every ping and link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Names for the ids a Slack message mentions. */
export interface SlackNames {
  readonly users: ReadonlyMap<string, string>;
  readonly channels: ReadonlyMap<string, string>;
}

const token = /<([^<>]+)>/g;

/** The user and channel ids a message mentions, to look up before {@link slackToPlain}. */
export function mentionedIds(text: string): { users: string[]; channels: string[] } {
  const users = new Set<string>();
  const channels = new Set<string>();
  for (const [, inner] of text.matchAll(token)) {
    const [target = '', label] = inner!.split('|', 2);
    if (target.startsWith('@')) users.add(target.slice(1));
    else if (target.startsWith('#') && label === undefined) channels.add(target.slice(1));
  }
  return { users: [...users], channels: [...channels] };
}

/**
 * Slack markup → plain text for the phone: links become `label (url)`, mentions become `@name` and
 * `#channel`, broadcasts `@here`, entities are unescaped, and `*bold*`, `_italic_`, `~strike~` and code
 * markers are removed where they are formatting (not inside words like snake_case or 2*3*4).
 */
export function slackToPlain(text: string, names: SlackNames): string {
  const placeholders: string[] = [];
  // Private-use characters mark kept spans: a customer cannot type them into a Slack message.
  const keep = (value: string) => `\uE000${placeholders.push(value) - 1}\uE001`;
  let out = text.replace(/```([\s\S]*?)```/g, (_m, code: string) =>
    keep(unescape(code.replace(/^\n/, '').replace(/\n$/, ''))),
  );
  out = out.replace(/`([^`\n]+)`/g, (_m, code: string) => keep(unescape(code)));
  out = out.replace(token, (_m, inner: string) => keep(renderToken(inner, names)));
  out = stripFormatting(out);
  out = unescape(out);
  return out.replace(/\uE000(\d+)\uE001/g, (_m, index: string) => placeholders[Number(index)] ?? '').trim();
}

function renderToken(inner: string, names: SlackNames): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : unescape(inner.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `@${names.users.get(id) ?? label ?? id}`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `#${label ?? names.channels.get(id) ?? id}`;
  }
  if (target.startsWith('!')) {
    const command = target.slice(1);
    if (command === 'here' || command === 'channel' || command === 'everyone') return `@${command}`;
    if (command.startsWith('subteam^')) return label ?? '@group';
    return label ?? '';
  }
  const url = unescape(target);
  const shown = url.startsWith('mailto:') ? url.slice('mailto:'.length) : url;
  if (label === undefined || label === shown || label === url) return shown;
  return `${label} (${shown})`;
}

/** Removes paired formatting markers that sit at word boundaries. */
function stripFormatting(text: string): string {
  let out = text;
  for (const marker of ['*', '_', '~']) {
    const m = `\\${marker}`;
    const pattern = new RegExp(`(^|[\\s(\\[{"'])${m}(?=\\S)([^${m}\\n]*?\\S)${m}(?=$|[\\s)\\]}"'.,;:!?])`, 'g');
    out = out.replace(pattern, '$1$2');
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
