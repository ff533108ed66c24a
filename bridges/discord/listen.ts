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
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { CursorStore } from '../../src/store/store.js';
import { restDestination } from './destinations.js';
import { discordToPlain } from './format.js';
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
import type { DiscordNameLookup } from './names.js';
import { callDiscord } from './rest.js';

/** Where the catch-up cursor (Unix ms of the last message handed in) is kept. */
export const catchUpCursorKey = 'discord:catch-up';

export interface ListenDeps {
  readonly client: Client;
  readonly queues: SendQueues;
  readonly scope: InboundScope;
  readonly names: DiscordNameLookup;
  readonly ingest: IngestFn;
  readonly log: Logger;
  readonly now: () => number;
  readonly cursors?: CursorStore;
  /** Someone types in a conversation thread (already debounced). */
  readonly onTyping?: (thread: ThreadRef) => void;
}

/**
 * Where an event happened. A thread discord.js has not cached (an archived one, after a restart) or knows only
 * from a gateway hint (without its parent) is fetched once over REST.
 */
async function placeFor(deps: ListenDeps, channelId: string): Promise<Place | undefined> {
  const cached = deps.client.channels.cache.get(channelId);
  if (cached && (!cached.isThread() || cached.parentId)) {
    return placeOf(cached, deps.scope);
  }
  try {
    const fetched = await callDiscord(
      deps.queues,
      restDestination,
      'GET channel',
      () => deps.client.channels.fetch(channelId),
      { idempotent: true },
    );
    return placeOf(fetched, deps.scope);
  } catch (error) {
    deps.log.debug({ err: error, channel: channelId }, 'Discord channel of an event not found; event ignored');
    return undefined;
  }
}

/** A person's message in a conversation thread → the core (gateway and catch-up share this path). */
export async function handInMessage(deps: ListenDeps, message: Message): Promise<void> {
  if (!isFromPerson(message, deps.scope)) {
    deps.log.debug(
      { message_id: message.id, webhook: message.webhookId !== null },
      'Discord message not from a person',
    );
    return;
  }
  const place = await placeFor(deps, message.channelId);
  if (!place) return;
  const member = message.member ?? (await deps.names.memberOf(message.guild, message.author.id));
  const author = authorOf(message.author, member, deps.scope);
  const text = discordToPlain(message.content, await deps.names.namesFor(message));
  await ingestOne(deps, messageIngress(message, place, author, text));
  const cursor = deps.cursors?.get(catchUpCursorKey);
  if (!cursor || cursor.lastSentAt < message.createdTimestamp) {
    deps.cursors?.set(catchUpCursorKey, { lastSentAt: message.createdTimestamp, lastMessageId: message.id });
  }
}

async function handInEdit(deps: ListenDeps, old: Message | PartialMessage, message: Message): Promise<void> {
  if (!isFromPerson(message, deps.scope) || !message.editedTimestamp) return;
  // Embeds unfurling and pins update a message too; only a changed text is an edit.
  if (!old.partial && old.content === message.content) return;
  if (!(await placeFor(deps, message.channelId))) return;
  const member = message.member ?? (await deps.names.memberOf(message.guild, message.author.id));
  const text = discordToPlain(message.content, await deps.names.namesFor(message));
  await ingestOne(deps, editIngress(message, authorOf(message.author, member, deps.scope), text));
}

async function handInDelete(deps: ListenDeps, message: Message | PartialMessage): Promise<void> {
  if (message.author && !isFromPerson(message, deps.scope)) return;
  if (!(await placeFor(deps, message.channelId))) return;
  await ingestOne(deps, deleteIngress(message));
}

async function handInReaction(
  deps: ListenDeps,
  reaction: MessageReaction | PartialMessageReaction,
  someone: User | PartialUser,
  removed: boolean,
): Promise<void> {
  if (someone.id === deps.scope.botId()) return;
  const user = someone.partial
    ? await callDiscord(deps.queues, restDestination, 'GET user', () => someone.fetch(), { idempotent: true })
    : someone;
  if (user.bot) return;
  const { message } = reaction;
  if (!(await placeFor(deps, message.channelId))) return;
  const guild = message.guildId ? deps.client.guilds.cache.get(message.guildId) : undefined;
  const member = await deps.names.memberOf(guild ?? null, user.id);
  const ingress = reactionIngress({
    messageId: message.id,
    channelId: message.channelId,
    emoji: reaction.emoji,
    author: authorOf(user, member, deps.scope),
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
