import type { SimCore } from './core.js';
import { archivedThread, DiscordApiError, unknownEmoji } from './errors.js';
import type { MessageTarget } from './state.js';
import type { SimEmoji, SimMessage } from './types.js';
import { wireMember } from './wire-guild.js';

// Built at run time: the `v` flag is newer than the compile target, and Node 20 supports it.
const UNICODE_EMOJI = new RegExp(
  '^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}\\uFE0F?|\\p{Regional_Indicator}{2}|[#*0-9]\\uFE0F?\\u20E3)$',
  'v',
);
const CUSTOM_EMOJI = /^(a:)?([\w~]{1,32}):(\d{17,20})$/;

/** Discord caps a message at 20 different reactions. */
const MAX_REACTIONS = 20;

/**
 * Reads the route's emoji: a unicode emoji, or `name:id` for a custom one (what discord.js sends). Words such as
 * 'thumbsup' are rejected with 10014 Unknown Emoji, like Discord.
 */
export function parseRouteEmoji(raw: string): SimEmoji {
  const custom = CUSTOM_EMOJI.exec(raw);
  if (custom) return { id: custom[3] ?? '', name: custom[2] ?? '', animated: custom[1] !== undefined };
  if (!UNICODE_EMOJI.test(raw)) throw unknownEmoji();
  return { id: null, name: raw };
}

const sameEmoji = (a: SimEmoji, b: SimEmoji): boolean =>
  a.id !== null || b.id !== null ? a.id === b.id : a.name.replace(/\uFE0F/g, '') === b.name.replace(/\uFE0F/g, '');

function wireEmoji(emoji: SimEmoji): Record<string, unknown> {
  return emoji.id === null
    ? { id: null, name: emoji.name }
    : { id: emoji.id, name: emoji.name, animated: emoji.animated ?? false };
}

/** Adds `userId`'s reaction; dispatches MESSAGE_REACTION_ADD only when it is new (PUT is idempotent). */
export function addReaction(
  core: SimCore,
  target: MessageTarget,
  message: SimMessage,
  userId: string,
  emoji: SimEmoji,
): void {
  if (target.kind === 'thread' && target.thread.archived) throw archivedThread();
  let reaction = message.reactions.find((item) => sameEmoji(item.emoji, emoji));
  if (reaction?.users.includes(userId)) return;
  if (!reaction) {
    if (message.reactions.length >= MAX_REACTIONS) {
      throw new DiscordApiError(400, 30010, `Maximum number of reactions reached (${MAX_REACTIONS})`);
    }
    reaction = { emoji, users: [] };
    message.reactions.push(reaction);
  }
  reaction.users.push(userId);
  const member = core.state.members.get(userId);
  core.gateway.dispatch('MESSAGE_REACTION_ADD', {
    user_id: userId,
    channel_id: target.id,
    message_id: message.id,
    guild_id: core.state.guild.id,
    ...(member ? { member: wireMember(member) } : {}),
    emoji: wireEmoji(reaction.emoji),
    message_author_id: message.author.id,
    burst: false,
    burst_colors: [],
    type: 0,
  });
  core.emit('reaction', { channelId: target.id, messageId: message.id, userId, emoji: reaction.emoji, removed: false });
}

/** Removes `userId`'s reaction; dispatches MESSAGE_REACTION_REMOVE only when there was one. */
export function removeReaction(
  core: SimCore,
  target: MessageTarget,
  message: SimMessage,
  userId: string,
  emoji: SimEmoji,
): void {
  if (target.kind === 'thread' && target.thread.archived) throw archivedThread();
  const index = message.reactions.findIndex((item) => sameEmoji(item.emoji, emoji));
  const reaction = message.reactions[index];
  if (!reaction?.users.includes(userId)) return;
  reaction.users = reaction.users.filter((id) => id !== userId);
  if (reaction.users.length === 0) message.reactions.splice(index, 1);
  core.gateway.dispatch('MESSAGE_REACTION_REMOVE', {
    user_id: userId,
    channel_id: target.id,
    message_id: message.id,
    guild_id: core.state.guild.id,
    emoji: wireEmoji(reaction.emoji),
    burst: false,
    type: 0,
  });
  core.emit('reaction', { channelId: target.id, messageId: message.id, userId, emoji: reaction.emoji, removed: true });
}
