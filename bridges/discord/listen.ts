import {
  Events,
  type Client,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import type { Logger } from 'pino';
import type { ThreadRef } from '../../src/core/bridge.js';
import type { IngestFn } from '../../src/core/ingress.js';
import type { Ingress } from '../../src/core/model.js';
import type { CatchUpCursor } from '../../src/core/catch-up-cursor.js';
import {
  authorOf,
  deleteIngress,
  editIngress,
  isFromPerson,
  messageIngress,
  placeOf,
  reactionIngress,
  type InboundScope,
  type Place,
} from './inbound.js';

/** Where the catch-up cursor (a low-water mark, see CatchUpCursor) is kept. */
export const catchUpCursorKey = 'discord:catch-up';

export interface ListenDeps {
  readonly client: Client;
  readonly scope: InboundScope;
  readonly ingest: IngestFn;
  readonly log: Logger;
  readonly now: () => number;
  readonly cursor?: CatchUpCursor;
  /**
   * True when `thread` under the route channel `parent` is a conversation's: how a thread discord.js has not
   * cached (an archived one, after a restart) is placed without asking Discord.
   */
  readonly isConversationThread?: (parent: string, thread: string) => boolean;
  /** Someone types in a conversation thread (already debounced). */
  readonly onTyping?: (thread: ThreadRef) => void;
}

/** Where an event happened, from discord.js's cache or the store; never a remote lookup (events are journaled first). */
function placeFor(deps: ListenDeps, channelId: string): Place | undefined {
  const cached = deps.client.channels.cache.get(channelId);
  if (cached && (!cached.isThread() || cached.parentId)) return placeOf(cached, deps.scope);
  for (const parent of deps.scope.routeChannels) {
    if (deps.isConversationThread?.(parent, channelId)) return { parent, thread: channelId };
  }
  return undefined;
}

/** The member behind a message, when discord.js has it at hand (the gateway sends it with guild messages). */
function memberAtHand(message: Message | PartialMessage, userId: string) {
  return message.member ?? message.guild?.members.cache.get(userId) ?? undefined;
}

/**
 * A person's message in a conversation thread → the core (gateway and catch-up share this path), journaled
 * as it arrived: the names it mentions and, when the member was not at hand, the role allow-list are looked
 * up when its work runs (`resolve`). The catch-up cursor passes it once it is journaled.
 */
export async function handInMessage(deps: ListenDeps, message: Message): Promise<void> {
  if (!isFromPerson(message, deps.scope)) {
    deps.log.debug(
      { message_id: message.id, webhook: message.webhookId !== null },
      'Discord message not from a person',
    );
    return;
  }
  const place = placeFor(deps, message.channelId);
  if (!place) return;
  const member = memberAtHand(message, message.author.id);
  const author = authorOf(message.author, member, deps.scope, member !== undefined);
  const done = deps.cursor?.begin(message.createdTimestamp);
  await ingestOne(deps, messageIngress(message, place, author));
  done?.();
}

async function handInEdit(deps: ListenDeps, old: Message | PartialMessage, message: Message): Promise<void> {
  if (!isFromPerson(message, deps.scope) || !message.editedTimestamp) return;
  // Embeds unfurling and pins update a message too; only a changed text is an edit.
  if (!old.partial && old.content === message.content) return;
  if (!placeFor(deps, message.channelId)) return;
  const member = memberAtHand(message, message.author.id);
  await ingestOne(deps, editIngress(message, authorOf(message.author, member, deps.scope, false), message.content));
}

async function handInDelete(deps: ListenDeps, message: Message | PartialMessage): Promise<void> {
  if (message.author && !isFromPerson(message, deps.scope)) return;
  if (!placeFor(deps, message.channelId)) return;
  await ingestOne(deps, deleteIngress(message));
}

async function handInReaction(
  deps: ListenDeps,
  reaction: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
  removed: boolean,
): Promise<void> {
  // The gateway sends the reacting member with guild reactions, so the user is known (bots included).
  if (user.id === deps.scope.botId() || user.bot) return;
  const { message } = reaction;
  if (!placeFor(deps, message.channelId)) return;
  const member = memberAtHand(message, user.id);
  const ingress = reactionIngress({
    messageId: message.id,
    channelId: message.channelId,
    emoji: reaction.emoji,
    author: authorOf(
      { id: user.id, displayName: user.displayName ?? null, username: user.username ?? null },
      member,
      deps.scope,
      false,
    ),
    removed,
    at: deps.now(),
  });
  if (ingress) await ingestOne(deps, ingress);
}

async function ingestOne(deps: ListenDeps, ingress: Ingress): Promise<void> {
  const result = await deps.ingest(ingress, deps.log);
  if (result === 'duplicate') deps.log.debug({ key: ingress.dedupeKey }, 'Discord event already handled');
}

/**
 * Subscribes to the gateway events the bridge handles. A handler never throws into discord.js: a failure is
 * logged once with the message id, and the event is lost only if it could not be journaled (as for Slack,
 * catch-up after a restart reads the thread back).
 */
export function listenForEvents(deps: ListenDeps): void {
  const { client, log } = deps;
  const guard =
    (what: string, run: () => Promise<void>, id?: string): (() => void) =>
    () => {
      run().catch((error: unknown) => log.error({ err: error, message_id: id, event: what }, 'Discord event failed'));
    };
  client.on(Events.MessageCreate, (message) => guard('message', () => handInMessage(deps, message), message.id)());
  client.on(Events.MessageUpdate, (old, message) => guard('edit', () => handInEdit(deps, old, message), message.id)());
  client.on(Events.MessageDelete, (message) => guard('delete', () => handInDelete(deps, message), message.id)());
  client.on(Events.MessageReactionAdd, (reaction, user) =>
    guard('reaction', () => handInReaction(deps, reaction, user, false), reaction.message.id)(),
  );
  client.on(Events.MessageReactionRemove, (reaction, user) =>
    guard('reaction', () => handInReaction(deps, reaction, user, true), reaction.message.id)(),
  );
  client.on(Events.TypingStart, (typing) => {
    if (!deps.onTyping || typing.user.id === deps.scope.botId() || typing.user.bot) return;
    const place = placeOf(typing.channel, deps.scope);
    if (place) deps.onTyping({ channel: place.parent, thread: place.thread });
  });
}
