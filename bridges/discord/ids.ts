import { createHash } from 'node:crypto';
import type { ConversationInfo } from '../../src/core/bridge.js';

/** Discord's epoch (2015-01-01T00:00:00Z): snowflakes count milliseconds from it. */
const discordEpochMs = 1_420_070_400_000n;

/** The smallest snowflake of a moment: `?after=` it returns what was posted from then on. */
export function snowflakeAt(ms: number): string {
  const since = BigInt(Math.max(0, Math.floor(ms))) - discordEpochMs;
  return (since > 0n ? since << 22n : 0n).toString();
}

/** The Unix ms a snowflake was made at. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + discordEpochMs);
}

/**
 * A message nonce for one part of a post: Discord takes at most 25 characters, so the idempotency key is
 * hashed. With `enforce_nonce`, a retry within Discord's window returns the first message instead of a copy.
 */
export function nonceOf(idempotencyKey: string, part: number): string {
  return createHash('sha256').update(`${idempotencyKey}#${part}`).digest('base64url').slice(0, 25);
}

/** Code points, not UTF-16 units, are what Discord counts in names. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A thread (or forum post) title: who texts which line, at most 100 characters. */
export function threadName(info: ConversationInfo): string {
  const handle = info.participants[0] ?? info.key.chat;
  const who = info.isGroup
    ? `${info.displayName ?? 'Group chat'} (${info.participants.join(', ')})`
    : info.displayName && info.displayName !== handle
      ? `${info.displayName} (${handle})`
      : handle;
  const suffix = ` → ${info.key.line}`;
  return `${truncate(who.replace(/\s+/g, ' ').trim() || handle, 100 - [...suffix].length)}${suffix}`;
}

/**
 * The name a webhook post shows. Discord refuses names that contain "discord" or "clyde", `@`, `#`, `:` or
 * "```", or that are "everyone"/"here", and takes 1–80 characters: lookalikes and a zero-width space keep the
 * name readable while passing those rules.
 */
export function webhookUsername(name: string): string {
  let cleaned = name
    .replace(/@/g, '＠')
    .replace(/#/g, '＃')
    .replace(/:/g, '：')
    .replace(/```/g, "'''")
    .replace(/(disc)(ord)/gi, '$1\u200b$2')
    .replace(/(cl)(yde)/gi, '$1\u200b$2')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') cleaned = 'Customer';
  if (['everyone', 'here'].includes(cleaned.toLowerCase())) cleaned = `${cleaned} (customer)`;
  return truncate(cleaned, 80);
}
