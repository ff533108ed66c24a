import type { Conversation } from '../store/store.js';
import type { TeamBridge, ThreadRef } from './bridge.js';
import type { EffectOp } from './effect-ops.js';
import type { DeleteEvent, EditEvent, MessageEvent, ReactionEvent, StartEvent, TeamBridgeId } from './model.js';
import { findLinkByPost, planOn, sideOf, teamsOf, threadOf, type RouterContext } from './router-context.js';
import type { RouteSpec } from './routes.js';

/** A team event, resolved to its conversation, route and thread; undefined when it is not in a linked thread. */
interface TeamScene {
  readonly team: TeamBridgeId;
  readonly bridge: TeamBridge;
  readonly conversation: Conversation;
  readonly route: RouteSpec;
  readonly thread: ThreadRef;
}

function sceneOf(
  ctx: RouterContext,
  event: MessageEvent | EditEvent | DeleteEvent | ReactionEvent,
): TeamScene | undefined {
  const team = event.origin.bridge;
  const channel = event.origin.channel;
  if (team === 'imessage' || !channel) return undefined;
  const bridge = ctx.teams[team];
  // A message names its thread; a reaction, edit or deletion names only its target, found through its link.
  const conversation = event.origin.thread
    ? ctx.store.conversations.findByThread(team, channel, event.origin.thread)
    : 'target' in event
      ? (() => {
          const link = findLinkByPost(ctx, team, { channel, id: event.target });
          return link && ctx.store.conversations.get(link.conversation);
        })()
      : undefined;
  const route = conversation && ctx.routes.get(conversation.key.line);
  const thread = threadOf(conversation, team);
  if (!bridge || !conversation || !route || !thread) return undefined;
  return { team, bridge, conversation, route, thread };
}

/**
 * What planning made of an event: `parked` when it cannot be placed yet but may be soon (it stays in the
 * journal and is planned again when a thread is linked), `planned` otherwise (effects made, or nothing to do).
 */
export type PlanOutcome = 'planned' | 'parked';

/**
 * True when a message arrived in a thread the store does not know, in a channel where a thread is being
 * created right now: the platform shows a new thread (and people may answer in it) before its creator hears
 * back, and after a crash the new thread is only linked once its creation is reconciled. Such a message waits
 * for the link instead of being taken for a thread Threadline does not own.
 */
function threadBeingCreated(ctx: RouterContext, event: MessageEvent): boolean {
  const team = event.origin.bridge;
  const { channel, thread } = event.origin;
  if (team === 'imessage' || !channel || !thread) return false;
  if (ctx.store.conversations.findByThread(team, channel, thread)) return false;
  const destination = `${team}:${channel}`;
  for (const state of ctx.store.effects.states()) {
    if (state.deadAt !== undefined || state.destination !== destination) continue;
    const op = ctx.store.effects.get(state.id)?.op as EffectOp | undefined;
    if (
      op &&
      'conversation' in op &&
      op.conversation &&
      !threadOf(ctx.store.conversations.get(op.conversation), team)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * A team member's message in a linked thread. Whether it goes to the customer depends on its text and
 * author, which are resolved only when the work runs (the event was journaled before any lookup), so every
 * lane it may touch gets an effect now, in arrival order: the phone (the reply), the route's other team
 * threads (the mirror), and its own thread (📝 when it stays internal). Each decides the same way.
 */
export function planTeamMessage(ctx: RouterContext, event: MessageEvent): PlanOutcome {
  const scene = sceneOf(ctx, event);
  if (!scene) {
    if (!threadBeingCreated(ctx, event)) return 'planned';
    ctx.log.debug({ bridge: event.origin.bridge, message_id: event.origin.messageId }, 'Message waits for its thread');
    return 'parked';
  }
  const { team, conversation, route } = scene;
  const key = conversation.key;
  const own = { channel: event.origin.channel!, id: event.origin.messageId };
  if (findLinkByPost(ctx, team, own)) {
    ctx.log.debug({ bridge: team, message_id: own.id }, 'Ignored own echo');
    return 'planned';
  }
  const link = ctx.store.links.create({ conversation: key, origin: team, ...sideOf(team, own) });
  ctx.store.conversations.upsert(key, { lastActivityAt: Math.max(conversation.lastActivityAt, event.sentAt) });
  planOn(ctx, route, key, team, { kind: 'review', team, conversation: key, linkId: link.id, event });
  if (route.teams[team]?.mode === 'two-way') {
    planOn(ctx, route, key, 'imessage', { kind: 'reply', conversation: key, linkId: link.id, event });
  }
  for (const { id } of teamsOf(ctx, route)) {
    if (id === team) continue;
    planOn(ctx, route, key, id, { kind: 'mirror', team: id, conversation: key, linkId: link.id, event });
  }
  return 'planned';
}

/** A team reaction on a bridged message becomes a tapback, when iMessage has one; removals cannot reach the phone. */
export function planTeamReaction(ctx: RouterContext, event: ReactionEvent): void {
  const scene = sceneOf(ctx, event);
  if (!scene) return;
  const { team, conversation, route } = scene;
  const link = findLinkByPost(ctx, team, { channel: event.origin.channel!, id: event.target });
  if (!link || route.teams[team]?.mode !== 'two-way') return;
  if (event.removed) {
    ctx.log.debug({ bridge: team, message_id: event.target }, 'Reaction removal cannot reach the phone');
    return;
  }
  const key = conversation.key;
  const result = ctx.reactions.emojiToTapback(event.emoji);
  if ('ignored' in result) {
    planTell(ctx, route, team, key, scene.thread.channel, event.author.id, result.hint);
    return;
  }
  planOn(ctx, route, key, 'imessage', { kind: 'tapback', conversation: key, linkId: link.id, tapback: result.tapback });
}

/** Edits and deletions cannot reach a phone: the author is told, never silently ignored. */
export function planTeamChange(ctx: RouterContext, event: EditEvent | DeleteEvent): void {
  const scene = sceneOf(ctx, event);
  if (!scene) return;
  const link = findLinkByPost(ctx, scene.team, { channel: event.origin.channel!, id: event.target });
  // Only a message that went (or is going) to the phone needs the explanation: checked when it runs.
  if (!link || link.origin !== scene.team || scene.route.teams[scene.team]?.mode !== 'two-way') return;
  const text =
    event.kind === 'edit'
      ? 'Edits cannot reach the customer: they keep the original message. Send a new message to correct it.'
      : 'Deleting here does not unsend: the customer keeps the message.';
  planOn(ctx, scene.route, scene.conversation.key, scene.team, {
    kind: 'tell',
    team: scene.team,
    conversation: scene.conversation.key,
    channel: scene.thread.channel,
    userId: event.author.id,
    text,
    ifSent: link.id,
  });
}

/** A `/text` command: worked out when it runs (it must find the contact's chat on messages.dev first). */
export function planStart(ctx: RouterContext, event: StartEvent): void {
  const team = event.origin.bridge;
  const channel = event.origin.channel;
  if (team === 'imessage' || !channel) return;
  ctx.effects.add({
    lane: `start|${team}:${channel}`,
    destination: `${team}:${channel}`,
    op: { kind: 'start', team, event },
  });
}

function planTell(
  ctx: RouterContext,
  route: RouteSpec,
  team: TeamBridgeId,
  key: Conversation['key'],
  channel: string,
  userId: string,
  text: string,
): void {
  planOn(ctx, route, key, team, { kind: 'tell', team, conversation: key, channel, userId, text });
}
