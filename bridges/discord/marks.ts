import { Routes } from 'discord.js';
import type { Mark, PostRef, ThreadRef } from '../../src/core/bridge.js';
import { channelDestination, restDestination } from './destinations.js';
import { escapeDiscordMarkdown } from './format.js';
import { nonceOf } from './ids.js';
import { callDiscord, discordCodes, isDiscordCode } from './rest.js';
import { matchPosted, noMentions, recentMessages, sendPart, type SendDeps } from './send.js';

/** ✅ ⚠️ 📝 as Discord reactions. */
export const markEmoji: Readonly<Record<Mark, string>> = { sent: '✅', failed: '⚠️', note: '📝' };

/**
 * Every message of a conversation lives in its thread, so the thread is the channel to address: the core names
 * a team member's message by the route channel it resolved the conversation with, not by the thread.
 */
function channelOf(thread: ThreadRef): string {
  return thread.thread;
}

/** ✅ ⚠️ 📝 on a team member's message; a failure with a reason also gets a note in the thread saying why. */
export async function markOnDiscord(
  deps: SendDeps,
  thread: ThreadRef,
  message: PostRef,
  mark: Mark,
  reason?: string,
): Promise<void> {
  await reactOnDiscord(deps, thread, message, markEmoji[mark], false);
  if (mark === 'failed' && reason) {
    await sendPart(
      deps,
      thread,
      { content: `⚠️ Not delivered to the customer: ${escapeDiscordMarkdown(reason)}`, files: [] },
      undefined,
      { key: `mark:${message.id}`, index: 0 },
    );
  }
}

/** A notice from Threadline in the thread (⚠️ something failed for good); idempotent by `key` (a nonce). */
export async function noticeOnDiscord(
  deps: SendDeps,
  thread: ThreadRef,
  text: string,
  key: string,
  replay: boolean,
): Promise<PostRef> {
  const part = { content: `⚠️ ${escapeDiscordMarkdown(text)}`, files: [] };
  if (replay) {
    const found = matchPosted(await recentMessages(deps, thread), part, undefined, deps.botId(), deps.isLinked);
    if (found) return { channel: thread.thread, id: found.id };
  }
  return sendPart(deps, thread, part, undefined, { key, index: 0 });
}

/**
 * Tells one member something. Bots cannot post ephemeral messages in threads (only interaction replies are
 * ephemeral), so this is a short thread message that mentions the member and pings only them: the
 * allow-list names their id and nothing else.
 */
export async function tellOnDiscord(deps: SendDeps, thread: ThreadRef, userId: string, text: string): Promise<void> {
  const member = /^\d{15,21}$/.test(userId) ? userId : undefined;
  const content = `${member ? `<@${member}> ` : ''}${escapeDiscordMarkdown(text)}`;
  // Fixed before the first attempt, so a retry of a post that landed returns it instead of a copy.
  const nonce = nonceOf(`tell:${userId}:${text}:${Date.now()}`, 0);
  await callDiscord(
    deps.queues,
    channelDestination(channelOf(thread)),
    'POST tell',
    () =>
      deps.rest.post(Routes.channelMessages(channelOf(thread)), {
        body: {
          content,
          allowed_mentions: member ? { parse: [], users: [member] } : noMentions,
          nonce,
          enforce_nonce: true,
        },
      }),
    { idempotent: true },
  );
}

/**
 * Adds or removes the bot's reaction. Unicode only: a `:name:` (an emoji without a Unicode form) is skipped,
 * as is one Discord does not know (10014). A thread that archived meanwhile is reopened once.
 */
export async function reactOnDiscord(
  deps: SendDeps,
  thread: ThreadRef,
  message: PostRef,
  emoji: string,
  removed: boolean,
): Promise<void> {
  if (/^:[^:\s]+:$/.test(emoji) || emoji.trim() === '') {
    deps.log.debug({ emoji }, 'No Unicode form for emoji; reaction not shown on Discord');
    return;
  }
  const channel = channelOf(thread);
  const route = Routes.channelMessageOwnReaction(channel, message.id, encodeURIComponent(emoji));
  const call = () =>
    callDiscord(
      deps.queues,
      restDestination,
      removed ? 'DELETE reaction' : 'PUT reaction',
      () => (removed ? deps.rest.delete(route) : deps.rest.put(route)),
      { idempotent: true },
    );
  try {
    await call();
  } catch (error) {
    if (isDiscordCode(error, discordCodes.unknownEmoji) || isDiscordCode(error, discordCodes.unknownMessage)) {
      deps.log.debug({ emoji, message_id: message.id }, 'Discord refused the reaction; skipped');
      return;
    }
    if (!isDiscordCode(error, discordCodes.threadArchived)) throw error;
    await callDiscord(
      deps.queues,
      restDestination,
      'PATCH thread (unarchive)',
      () => deps.rest.patch(Routes.channel(channel), { body: { archived: false } }),
      { idempotent: true },
    );
    await call();
  }
}
