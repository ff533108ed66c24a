import type { MessageLink } from '../store/store.js';
import type { DeliveryEvent, MessageEvent, ReactionEvent } from './model.js';
import { laneOf, marksLaneOf, planOn, postOf, teamsOf, type RouterContext } from './router-context.js';
import type { RouteSpec } from './routes.js';

/**
 * A message from the phone side: a contact's text goes into every team thread of the route (one post
 * effect per team, each creating the thread on first use); the line's own sends either confirm delivery
 * of a team reply, or, when sent from the phone or another tool, are mirrored as "sent from the line".
 */
export function planPhoneMessage(ctx: RouterContext, event: MessageEvent): void {
  const key = event.origin.conversation;
  if (!key) return;
  const route = ctx.routes.get(key.line);
  if (!route) {
    ctx.log.warn({ line: key.line, conversation: key.chat }, 'No route for line; message not bridged');
    return;
  }
  if (event.fromLine && event.outboxId) {
    const own = ctx.store.links.findByOutboxId(event.outboxId);
    if (own) {
      planDelivered(ctx, route, own, 'sent', undefined, {
        id: event.origin.messageId,
        ...(event.guid ? { guid: event.guid } : {}),
      });
      return;
    }
    // A send of ours may have been accepted without its outbox id linked yet: decide once it settled.
    if (ctx.effects.pendingIn(laneOf(key, 'imessage')).some((effect) => isSend(effect.op))) {
      planOn(ctx, route, key, 'imessage', { kind: 'line-message', conversation: key, event });
      return;
    }
  }
  planMirrorOfPhoneMessage(ctx, route, event);
}

/** Posts a phone-side message into every team thread of its route. */
export function planMirrorOfPhoneMessage(ctx: RouterContext, route: RouteSpec, event: MessageEvent): void {
  const key = event.origin.conversation!;
  const cursor = ctx.store.cursors.get(key.line);
  if (!cursor || cursor.lastSentAt < event.sentAt) {
    ctx.store.cursors.set(key.line, { lastSentAt: event.sentAt, lastMessageId: event.origin.messageId });
  }
  const known = ctx.store.conversations.get(key)?.participants ?? [];
  ctx.store.conversations.upsert(key, {
    lastActivityAt: event.sentAt,
    ...(event.fromLine || known.includes(event.author.id) ? {} : { participants: [...known, event.author.id] }),
  });
  const link =
    ctx.store.links.findByIMessageId(event.origin.messageId) ??
    ctx.store.links.create({
      conversation: key,
      origin: 'imessage',
      imessage: { id: event.origin.messageId, ...(event.guid ? { guid: event.guid } : {}) },
    });
  for (const { id } of teamsOf(ctx, route)) {
    if (link[id]) continue; // posted there already
    planOn(ctx, route, key, id, {
      kind: 'post',
      team: id,
      conversation: key,
      linkId: link.id,
      voice: event.fromLine ? 'line' : 'customer',
      author: event.author,
      text: event.text,
      attachments: event.attachments,
      source: 'imessage',
      key: `imessage:${event.origin.messageId}`,
      sentAt: event.sentAt,
    });
  }
}

/** A tapback from the phone shows on the linked message in every team thread. */
export function planPhoneReaction(ctx: RouterContext, event: ReactionEvent): void {
  const key = event.origin.conversation;
  const route = key && ctx.routes.get(key.line);
  if (!key || !route) return;
  const link = ctx.store.links.findByIMessageId(event.target) ?? ctx.store.links.findByGuid(event.target);
  if (!link) {
    ctx.log.debug({ conversation: key.chat, message_id: event.target }, 'Reaction on a message Threadline never saw');
    return;
  }
  for (const { id, bridge } of teamsOf(ctx, route)) {
    if (!bridge.react) continue;
    planOn(ctx, route, key, id, {
      kind: 'react',
      team: id,
      conversation: key,
      linkId: link.id,
      emoji: event.emoji,
      removed: event.removed,
    });
  }
}

/** What messages.dev's outbox says of a send: marks the team message ✅ or ⚠️ with the reason. */
export function planDelivery(ctx: RouterContext, event: DeliveryEvent): void {
  const link = ctx.store.links.findByOutboxId(event.outboxId);
  const route = link && ctx.routes.get(link.conversation.line);
  if (!link || !route || link.delivery === event.status) return;
  if (event.status === 'failed') ctx.metrics.failed('imessage', 'outbox_failed');
  planDelivered(ctx, route, link, event.status, event.reason);
}

/**
 * Records how a send ended on its link and plans the marks on every team copy of the message. A copy not
 * posted yet is marked on its team lane, after its post; a copy already posted is marked on the marks lane,
 * so that the posts never wait for the marks' budget.
 */
export function planDelivered(
  ctx: RouterContext,
  route: RouteSpec,
  link: MessageLink,
  status: 'sent' | 'failed',
  reason?: string,
  imessage?: { id: string; guid?: string },
): void {
  const alreadyMarked = link.delivery === status;
  if (alreadyMarked && !imessage) return;
  ctx.store.links.update(link.id, { delivery: status, ...(imessage ? { imessage } : {}) });
  if (link.imessage?.outboxId) ctx.effects.wake(trackLaneOf(link.imessage.outboxId));
  if (alreadyMarked) return;
  if (status === 'sent' && link.origin !== 'imessage') ctx.metrics.confirmed(link.createdAt);
  for (const { id } of teamsOf(ctx, route)) {
    const op = {
      kind: 'mark',
      team: id,
      conversation: link.conversation,
      linkId: link.id,
      mark: status,
      ...(reason !== undefined ? { reason } : {}),
    } as const;
    const lane = postOf(link, id) ? marksLaneOf(link.conversation, id) : laneOf(link.conversation, id);
    planOn(ctx, route, link.conversation, id, op, lane);
  }
}

/** The lane that follows one accepted send. */
export function trackLaneOf(outboxId: string): string {
  return `track|${outboxId}`;
}

function isSend(op: unknown): boolean {
  const kind = (op as { kind?: unknown }).kind;
  return kind === 'reply';
}
