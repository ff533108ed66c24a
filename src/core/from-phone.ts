import type { MessageLink } from '../store/store.js';
import type { TeamBridge, ThreadRef } from './bridge.js';
import type { DeliveryEvent, MessageEvent, ReactionEvent, TeamBridgeId } from './model.js';
import { fanOut, laneOf, postOf, sideOf, teamsOf, threadOf, type RouterContext } from './router-context.js';
import type { RouteSpec, TeamRoute } from './routes.js';

/**
 * A message from the phone side: a contact's text goes into every team thread of the route (the thread
 * created on first use); the line's own sends either confirm delivery of a team reply, or, when sent
 * from the phone or another tool, are mirrored as "sent from the line".
 */
export async function routePhoneMessage(ctx: RouterContext, event: MessageEvent, replay: boolean): Promise<void> {
  const key = event.origin.conversation;
  if (!key) return;
  const route = ctx.routes.get(key.line);
  if (!route) {
    ctx.log.warn({ line: key.line, conversation: key.chat }, 'No route for line; message not bridged');
    return;
  }
  if (event.fromLine && event.outboxId) {
    // A send of ours may still be waiting for its outbox id; let it settle before deciding.
    await ctx.lanes.idle(laneOf(key, 'imessage'));
    const own = ctx.store.links.findByOutboxId(event.outboxId);
    if (own) {
      await markDelivered(ctx, route, own, 'sent', undefined, {
        id: event.origin.messageId,
        ...(event.guid ? { guid: event.guid } : {}),
      });
      return;
    }
  }
  const cursor = ctx.store.cursors.get(key.line);
  if (!cursor || cursor.lastSentAt < event.sentAt) {
    ctx.store.cursors.set(key.line, { lastSentAt: event.sentAt, lastMessageId: event.origin.messageId });
  }
  ctx.store.conversations.upsert(key, {
    lastActivityAt: event.sentAt,
    ...(event.fromLine ? {} : { participants: mergeParticipants(ctx, key, event.author.id) }),
  });
  const link =
    ctx.store.links.findByIMessageId(event.origin.messageId) ??
    ctx.store.links.create({
      conversation: key,
      origin: 'imessage',
      imessage: { id: event.origin.messageId, ...(event.guid ? { guid: event.guid } : {}) },
    });
  await fanOut(
    ctx,
    teamsOf(ctx, route).map(({ id, bridge, route: team }) => ({
      label: `${id}:${team.channel}`,
      run: () =>
        ctx.lanes.run(laneOf(key, id), async () => {
          if (postOf(ctx.store.links.get(link.id), id)) return; // posted before a restart
          const thread = await ensureThread(ctx, id, bridge, team, key);
          const post = await bridge.post(thread, {
            voice: event.fromLine ? 'line' : 'customer',
            author: event.author,
            text: event.text,
            attachments: event.attachments,
            openAttachment: ctx.phone.openAttachment,
            idempotencyKey: `imessage:${event.origin.messageId}`,
            replay,
          });
          ctx.store.links.update(link.id, sideOf(id, post));
          ctx.metrics.delivered(id, event.sentAt, 'to_team');
        }),
    })),
  );
}

/** A tapback from the phone shows on the linked message in every team thread. */
export async function routePhoneReaction(ctx: RouterContext, event: ReactionEvent): Promise<void> {
  const key = event.origin.conversation;
  const route = key && ctx.routes.get(key.line);
  if (!key || !route) return;
  const link = ctx.store.links.findByIMessageId(event.target) ?? ctx.store.links.findByGuid(event.target);
  if (!link) {
    ctx.log.debug({ conversation: key.chat, message_id: event.target }, 'Reaction on a message Threadline never saw');
    return;
  }
  const conversation = ctx.store.conversations.get(key);
  await fanOut(
    ctx,
    teamsOf(ctx, route).flatMap(({ id, bridge, route: team }) => {
      const thread = threadOf(conversation, id, team.channel);
      const post = postOf(link, id);
      const react = bridge.react?.bind(bridge);
      if (!thread || !post || !react) return [];
      return [
        {
          label: `${id}:${team.channel}`,
          run: () => ctx.lanes.run(laneOf(key, id), () => react(thread, post, event.emoji, event.removed)),
        },
      ];
    }),
  );
}

/** What messages.dev's outbox says of a send: marks the team message ✅ or ⚠️ with the reason. */
export async function routeDelivery(ctx: RouterContext, event: DeliveryEvent): Promise<void> {
  const link = ctx.store.links.findByOutboxId(event.outboxId);
  const route = link && ctx.routes.get(link.conversation.line);
  if (!link || !route || link.delivery === event.status) return;
  if (event.status === 'failed') ctx.metrics.failed('imessage', 'outbox_failed');
  await markDelivered(ctx, route, link, event.status, event.reason);
}

/** Records the outcome of a send on its link and marks every team copy of the message. */
export async function markDelivered(
  ctx: RouterContext,
  route: RouteSpec,
  link: MessageLink,
  status: 'sent' | 'failed',
  reason?: string,
  imessage?: { id: string; guid?: string },
): Promise<void> {
  const alreadyMarked = link.delivery === status;
  if (alreadyMarked && !imessage) return;
  const updated = ctx.store.links.update(link.id, { delivery: status, ...(imessage ? { imessage } : {}) }) ?? link;
  if (status === 'sent' && !alreadyMarked && link.origin !== 'imessage') ctx.metrics.confirmed(link.createdAt);
  const conversation = ctx.store.conversations.get(link.conversation);
  await fanOut(
    ctx,
    teamsOf(ctx, route).flatMap(({ id, bridge, route: team }) => {
      const thread = threadOf(conversation, id, team.channel);
      const post = postOf(updated, id);
      if (!thread || !post || alreadyMarked) return [];
      return [
        {
          label: `${id}:${team.channel}`,
          run: () => ctx.lanes.run(laneOf(link.conversation, id), () => bridge.mark(thread, post, status, reason)),
        },
      ];
    }),
  );
}

/** The conversation's thread on `id`, created once (callers run on the conversation's lane). */
export async function ensureThread(
  ctx: RouterContext,
  id: TeamBridgeId,
  bridge: TeamBridge,
  team: TeamRoute,
  key: MessageLink['conversation'],
): Promise<ThreadRef> {
  const conversation = ctx.store.conversations.get(key);
  const existing = threadOf(conversation, id, team.channel);
  if (existing) return existing;
  const thread = await bridge.createThread(team.channel, {
    key,
    participants: conversation?.participants ?? [],
    ...(conversation?.displayName ? { displayName: conversation.displayName } : {}),
    ...(conversation?.isGroup !== undefined ? { isGroup: conversation.isGroup } : {}),
  });
  ctx.store.conversations.upsert(key, { threads: { [id]: thread } });
  ctx.log.info({ bridge: id, conversation: key.chat, line: key.line, thread: thread.thread }, 'Thread created');
  return thread;
}

function mergeParticipants(ctx: RouterContext, key: MessageLink['conversation'], handle: string): string[] {
  const known = ctx.store.conversations.get(key)?.participants ?? [];
  return known.includes(handle) ? [...known] : [...known, handle];
}
