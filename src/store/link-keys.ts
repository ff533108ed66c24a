import type { BridgeId } from '../core/model.js';
import { LinkField, type LinkFieldIndex } from './link-row.js';
import type { MessageLink, MessageLinkPatch, NewMessageLink } from './store.js';

/** The handles a link can be found by. */
export type LinkKey = 'imessageId' | 'guid' | 'outboxId' | 'slack' | 'discord';

/**
 * The row fields that make up each lookup key. Slack `ts` values are unique per channel only, so the
 * Slack key is channel and ts together; Discord snowflakes are global.
 */
export const LINK_KEYS: Readonly<Record<LinkKey, readonly LinkFieldIndex[]>> = {
  imessageId: [LinkField.imessageId],
  guid: [LinkField.guid],
  outboxId: [LinkField.outboxId],
  slack: [LinkField.slackChannel, LinkField.slackTs],
  discord: [LinkField.discordId],
};

const BRIDGES: readonly string[] = ['imessage', 'slack', 'discord'] satisfies readonly BridgeId[];
const DELIVERIES: readonly string[] = ['pending', 'sent', 'failed'];

/** Throws a TypeError naming the first field of a new link that cannot be stored. */
export function checkNewLink(link: NewMessageLink): void {
  requireString(link.conversation?.line, 'conversation.line');
  requireString(link.conversation?.chat, 'conversation.chat');
  if (!BRIDGES.includes(link.origin))
    throw new TypeError(`Expected origin to be a bridge id, got ${String(link.origin)}`);
  checkPatch(link);
}

/** A link with a patch applied (checked first). */
export function mergeLink(link: MessageLink, patch: MessageLinkPatch): Omit<MessageLink, 'id'> {
  checkPatch(patch);
  const { id: _id, ...rest } = link;
  const imessage = patch.imessage ? { ...link.imessage, ...withoutUndefined(patch.imessage) } : link.imessage;
  return {
    ...rest,
    ...(imessage && { imessage }),
    ...((patch.slack ?? link.slack) && { slack: patch.slack ?? link.slack }),
    ...((patch.discord ?? link.discord) && { discord: patch.discord ?? link.discord }),
    ...((patch.delivery ?? link.delivery) && { delivery: patch.delivery ?? link.delivery }),
  };
}

function checkPatch(patch: MessageLinkPatch): void {
  if (patch.imessage) {
    for (const field of ['id', 'guid', 'outboxId'] as const) {
      if (patch.imessage[field] !== undefined) requireString(patch.imessage[field], `imessage.${field}`);
    }
  }
  if (patch.slack) {
    requireString(patch.slack.channel, 'slack.channel');
    requireString(patch.slack.ts, 'slack.ts');
  }
  if (patch.discord) {
    requireString(patch.discord.channel, 'discord.channel');
    requireString(patch.discord.id, 'discord.id');
  }
  if (patch.delivery !== undefined && !DELIVERIES.includes(patch.delivery)) {
    throw new TypeError(`Expected delivery to be pending, sent or failed, got ${String(patch.delivery)}`);
  }
}

function requireString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`Expected ${name} to be a non-empty string, got ${typeof value}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
