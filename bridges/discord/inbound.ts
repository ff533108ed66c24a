import {
  MessageFlags,
  MessageType,
  type Channel,
  type GuildMember,
  type Message,
  type PartialMessage,
} from 'discord.js';
import type { Attachment, Author, Ingress, MessageId, ThreadId } from '../../src/core/model.js';

/** What the bridge needs to know to judge an event. */
export interface InboundScope {
  /** The bot's user id (known after login). */
  readonly botId: () => string;
  /** The route channels (text or forum) whose threads are conversations. */
  readonly routeChannels: ReadonlySet<string>;
  /** Role ids allowed to text customers; everyone may when undefined. */
  readonly allowRoles: readonly string[] | undefined;
}

/** Where a conversation message sits: the route channel and the thread under it. */
export interface Place {
  readonly parent: string;
  readonly thread: string;
}

/** The place of a channel: a thread (or forum post) under a route channel; undefined anywhere else. */
export function placeOf(channel: Channel | null | undefined, scope: InboundScope): Place | undefined {
  if (!channel?.isThread()) return undefined;
  const parent = channel.parentId;
  return parent && scope.routeChannels.has(parent) ? { parent, thread: channel.id } : undefined;
}

/**
 * Loop safety: only people's messages count. Dropped: the bot's own posts (and the "started a thread" notices
 * it causes), every webhook's posts (our customer posts come back that way), other bots, and system messages.
 */
export function isFromPerson(message: Message | PartialMessage, scope: InboundScope): boolean {
  if (message.webhookId) return false;
  if (!message.author || message.author.id === scope.botId() || message.author.bot) return false;
  if (message.system) return false;
  return message.type === MessageType.Default || message.type === MessageType.Reply;
}

/**
 * The author as the core sees them, with `mayText: false` when the role allow-list leaves them out. With
 * `memberKnown` false (the member was not at hand and not looked up yet) the allow-list is left undecided,
 * for `resolve` to settle; with it true, no member means not a member (so not allowed).
 */
export function authorOf(
  user: { id: string; displayName?: string | null; username?: string | null },
  member: GuildMember | undefined,
  scope: InboundScope,
  memberKnown = true,
): Author {
  const name = member?.displayName ?? user.displayName ?? user.username ?? undefined;
  const decided = !scope.allowRoles || member !== undefined || memberKnown;
  const allowed = !scope.allowRoles || (member?.roles.cache.hasAny(...scope.allowRoles) ?? false);
  return { id: user.id, ...(name ? { name } : {}), ...(decided && !allowed ? { mayText: false } : {}) };
}

/**
 * A person's message in a conversation thread, as it arrived: `text` is still Discord markup and names are
 * looked up later (`unresolved`). The router finds the conversation by the thread ref it stored,
 * `{ channel: route channel, thread: thread id }`, so the origin names both.
 */
export function messageIngress(message: Message, place: Place, author: Author): Ingress {
  const voice = message.flags.has(MessageFlags.IsVoiceMessage);
  return {
    dedupeKey: `discord:event:${message.id}:message`,
    effectKey: `discord:message:${message.id}`,
    event: {
      kind: 'message',
      origin: { bridge: 'discord', messageId: id(message.id), channel: place.parent, thread: place.thread as ThreadId },
      author,
      sentAt: message.createdTimestamp,
      text: message.content,
      unresolved: true,
      attachments: message.attachments.map((attachment): Attachment => ({
        name: attachment.name,
        mimeType: attachment.contentType ?? 'application/octet-stream',
        size: attachment.size,
        ref: attachment.url,
        ...(voice ? { voiceMemo: true } : {}),
      })),
      ...(message.reference?.messageId ? { replyTo: id(message.reference.messageId) } : {}),
    },
  };
}

/** An edit of a person's message; the router explains that it cannot reach the phone. */
export function editIngress(message: Message, author: Author, text: string): Ingress {
  const editedAt = message.editedTimestamp ?? Date.now();
  return {
    dedupeKey: `discord:event:${message.id}:edit:${editedAt}`,
    event: {
      kind: 'edit',
      // No thread: the router finds the conversation through the edited message's link.
      origin: { bridge: 'discord', messageId: id(message.id), channel: message.channelId },
      author,
      sentAt: editedAt,
      target: id(message.id),
      text,
    },
  };
}

/** A deletion; the author is unknown when the message was not cached (then nobody is mentioned). */
export function deleteIngress(message: Message | PartialMessage): Ingress {
  return {
    dedupeKey: `discord:event:${message.id}:delete`,
    event: {
      kind: 'delete',
      origin: { bridge: 'discord', messageId: id(message.id), channel: message.channelId },
      author: { id: message.author?.id ?? '' },
      target: id(message.id),
    },
  };
}

/** A reaction added or removed; custom emoji become `:name:` so the core's unmapped-emoji rule applies. */
export function reactionIngress(input: {
  messageId: string;
  channelId: string;
  emoji: { id: string | null; name: string | null };
  author: Author;
  removed: boolean;
  at: number;
}): Ingress | undefined {
  const emoji = input.emoji.id ? `:${input.emoji.name ?? 'custom'}:` : input.emoji.name;
  if (!emoji) return undefined;
  const change = input.removed ? 'removed' : 'added';
  return {
    // Gateway reactions have no id of their own; a resumed session never replays one twice.
    dedupeKey: `discord:event:${input.messageId}:reaction:${input.author.id}:${emoji}:${change}:${input.at}`,
    event: {
      kind: 'reaction',
      origin: { bridge: 'discord', messageId: id(`${input.messageId}:${emoji}`), channel: input.channelId },
      author: input.author,
      sentAt: input.at,
      target: id(input.messageId),
      emoji,
      removed: input.removed,
    },
  };
}

function id(value: string): MessageId {
  return value as MessageId;
}
