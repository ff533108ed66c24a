import type { ConversationInfo, OpenAttachment, TeamBridge, TeamPost, ThreadRef } from './bridge.js';
import type { MarkOp, MirrorOp, NoticeOp, PostOp, ReactOp, ReviewOp, TellOp } from './effect-ops.js';
import type { BridgeId, ConversationKey, TeamBridgeId } from './model.js';
import { postOf, sideOf, threadOf, type RouterContext } from './router-context.js';
import { decideTeamMessage, resolveEvent } from './team-decision.js';

/** The team bridge of an op and the route's channel for it; undefined when the route no longer has it. */
function placeOf(ctx: RouterContext, team: TeamBridgeId, key: ConversationKey) {
  const bridge = ctx.teams[team];
  const route = ctx.routes.get(key.line);
  const channel = route?.teams[team]?.channel;
  return bridge && route && channel ? { bridge, route, channel } : undefined;
}

/** The conversation's thread on `team` in the route's channel, if it has one. */
function existingThread(ctx: RouterContext, team: TeamBridgeId, key: ConversationKey, channel?: string) {
  return threadOf(ctx.store.conversations.get(key), team, channel);
}

/** Who opens attachments that came from `source`. */
export function openerOf(ctx: RouterContext, source: BridgeId): OpenAttachment {
  return source === 'imessage'
    ? ctx.phone.openAttachment
    : (ctx.teams[source]?.openAttachment ?? ctx.phone.openAttachment);
}

/**
 * Posts into the conversation's thread, creating the thread first when there is none (a Slack root then
 * carries the post itself: one post per new conversation). The link gets the post's address.
 */
export async function applyPost(ctx: RouterContext, op: PostOp, replay: boolean): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const link = ctx.store.links.get(op.linkId);
  if (!place || !link || postOf(link, op.team)) return;
  const post: TeamPost = {
    voice: op.voice,
    author: op.author,
    text: op.text,
    attachments: op.attachments,
    openAttachment: openerOf(ctx, op.source),
    idempotencyKey: op.key,
    replay,
  };
  let thread = existingThread(ctx, op.team, op.conversation, place.channel);
  if (!thread) {
    const created = await createThread(ctx, op.team, place.bridge, place.channel, op.conversation, post, replay);
    if (created.first) {
      ctx.store.links.update(link.id, sideOf(op.team, created.first));
      ctx.metrics.delivered(op.team, op.sentAt, 'to_team');
      return;
    }
    thread = created.thread;
  }
  const ref = await place.bridge.post(thread, post);
  ctx.store.links.update(link.id, sideOf(op.team, ref));
  ctx.metrics.delivered(op.team, op.sentAt, 'to_team');
}

async function createThread(
  ctx: RouterContext,
  team: TeamBridgeId,
  bridge: TeamBridge,
  channel: string,
  key: ConversationKey,
  first: TeamPost,
  replay: boolean,
) {
  const conversation = ctx.store.conversations.get(key);
  const info: ConversationInfo = {
    key,
    participants: conversation?.participants ?? [],
    ...(conversation?.displayName ? { displayName: conversation.displayName } : {}),
    ...(conversation?.isGroup !== undefined ? { isGroup: conversation.isGroup } : {}),
  };
  const created = await bridge.createThread(channel, info, { first, replay });
  ctx.store.conversations.upsert(key, { threads: { [team]: created.thread } });
  ctx.log.info(
    { bridge: team, conversation: key.chat, line: key.line, thread: created.thread.thread },
    'Thread created',
  );
  ctx.threadLinked();
  return created;
}

/** A reaction on the team copy of a message. */
export async function applyReact(ctx: RouterContext, op: ReactOp): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const post = postOf(ctx.store.links.get(op.linkId), op.team);
  const thread = existingThread(ctx, op.team, op.conversation);
  if (!place?.bridge.react || !post || !thread) return;
  await place.bridge.react(thread, post, op.emoji, op.removed);
}

/** ✅ ⚠️ 📝 on the team copy of a message. */
export async function applyMark(ctx: RouterContext, op: MarkOp): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const post = postOf(ctx.store.links.get(op.linkId), op.team);
  const thread = existingThread(ctx, op.team, op.conversation);
  if (!place || !post || !thread) return;
  await place.bridge.mark(thread, post, op.mark, op.reason);
}

/** A notice from Threadline in the thread. */
export async function applyNotice(ctx: RouterContext, op: NoticeOp, replay: boolean): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const thread = existingThread(ctx, op.team, op.conversation);
  if (!place || !thread) return;
  await place.bridge.notice(thread, op.text, op.key, replay);
}

/** Tells one member something, in the conversation's thread or (without one) in the channel. */
export async function applyTell(ctx: RouterContext, op: TellOp): Promise<void> {
  const bridge = ctx.teams[op.team];
  if (!bridge) return;
  if (op.ifSent !== undefined) {
    const link = ctx.store.links.get(op.ifSent);
    if (!link || (link.delivery === undefined && !link.imessage?.outboxId)) return;
  }
  const thread: ThreadRef | undefined = op.conversation && existingThread(ctx, op.team, op.conversation);
  if (thread) await bridge.tell(thread, op.userId, op.text);
  else await bridge.tellInChannel?.(op.channel, op.userId, op.text);
}

/** A team message in its own thread: 📝 when it stays internal, and its author told when it was refused. */
export async function applyReview(ctx: RouterContext, op: ReviewOp): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const thread = existingThread(ctx, op.team, op.conversation);
  const own = postOf(ctx.store.links.get(op.linkId), op.team);
  if (!place || !thread || !own) return;
  const event = await resolveEvent(ctx, op.event);
  const decision = decideTeamMessage(place.route, op.team, event);
  if (decision.send) return;
  await place.bridge.mark(thread, own, 'note');
  if (decision.refusal) await place.bridge.tell(thread, event.author.id, decision.refusal);
}

/** A team message that goes to the customer, copied into the route's other team thread. */
export async function applyMirror(ctx: RouterContext, op: MirrorOp, replay: boolean): Promise<void> {
  const place = placeOf(ctx, op.team, op.conversation);
  const link = ctx.store.links.get(op.linkId);
  const thread = existingThread(ctx, op.team, op.conversation, place?.channel);
  const from = op.event.origin.bridge as TeamBridgeId;
  if (!place || !link || !thread || postOf(link, op.team)) return;
  const event = await resolveEvent(ctx, op.event);
  const decision = decideTeamMessage(place.route, from, event);
  if (!decision.send) return;
  const ref = await place.bridge.post(thread, {
    voice: 'team',
    author: event.author,
    text: decision.text,
    attachments: event.attachments,
    openAttachment: openerOf(ctx, from),
    idempotencyKey: `${from}:${event.origin.messageId}`,
    replay,
  });
  ctx.store.links.update(link.id, sideOf(op.team, ref));
  ctx.metrics.delivered(op.team, event.sentAt, 'to_team');
}
