import type { Logger } from 'pino';
import type { Conversation, Effect, MessageLink, Store } from '../store/store.js';
import type { PhoneBridge, PostRef, ResolvableEvent, TeamBridge, ThreadRef } from './bridge.js';
import type { EffectOp } from './effect-ops.js';
import type { RouterMetrics } from './metrics.js';
import { conversationId, type BridgeId, type ConversationKey, type TeamBridgeId } from './model.js';
import type { ReactionTable } from './reactions.js';
import type { RouteSpec, TeamRoute } from './routes.js';

/** A new effect, as the router plans it. */
export interface PlannedEffect {
  readonly lane: string;
  readonly destination: string;
  readonly op: EffectOp;
  /** Not to be tried before this Unix ms. */
  readonly notBefore?: number;
}

/** Where planned effects go: the store, and the runner that applies them. */
export interface EffectSink {
  /** Records an effect (in memory at once, durable with the next commit) and schedules it. */
  add(effect: PlannedEffect): Effect;
  /** The effects of a lane not yet done (dead letters excluded), in order. */
  pendingIn(lane: string): readonly Effect[];
  /** Runs the lane's next effect now, even if it was told to wait (news arrived that may settle it). */
  wake(lane: string): void;
}

/** What every router step needs; built once by `createRouter`. */
export interface RouterContext {
  readonly store: Store;
  readonly phone: PhoneBridge;
  readonly teams: Readonly<Partial<Record<TeamBridgeId, TeamBridge>>>;
  readonly routes: ReadonlyMap<string, RouteSpec>;
  readonly reactions: ReactionTable;
  readonly effects: EffectSink;
  readonly log: Logger;
  readonly now: () => number;
  readonly metrics: RouterMetrics;
  /**
   * When an accepted send is asked about, counted from its acceptance (messages.dev has no failure
   * webhook); after the last, every interval between the last two.
   */
  readonly pollScheduleMs: readonly [number, ...number[]];
  /** Team events already resolved, by event (see resolveEvent). */
  readonly resolved: Map<string, ResolvableEvent>;
  /** Called when a thread was created and linked (events waiting for it may now be planned). */
  readonly threadLinked: () => void;
}

/** The lane of one conversation on one platform: its effects apply one at a time, in order. */
export function laneOf(key: ConversationKey, bridge: BridgeId): string {
  return `${conversationId(key)}|${bridge}`;
}

/**
 * The lane of a conversation's delivery marks on one platform whose message is already posted there. Marks are
 * reactions, with a budget of their own (Slack: 50 a minute per workspace): on the posts' lane, a team answering
 * faster than that would hold the customer's next texts behind its ✅s.
 */
export function marksLaneOf(key: ConversationKey, bridge: BridgeId): string {
  return `${laneOf(key, bridge)}|marks`;
}

/** The destination operators see for a conversation's effects on a platform: the route's channel or the line. */
export function destinationOf(route: RouteSpec, bridge: BridgeId): string {
  return bridge === 'imessage' ? `imessage:${route.line}` : `${bridge}:${route.teams[bridge]?.channel ?? 'none'}`;
}

/** Plans an effect on a conversation's lane for `bridge`. */
export function planOn(
  ctx: RouterContext,
  route: RouteSpec,
  key: ConversationKey,
  bridge: BridgeId,
  op: EffectOp,
  lane = laneOf(key, bridge),
): Effect {
  return ctx.effects.add({ lane, destination: destinationOf(route, bridge), op });
}

/** The team bridges a route uses that are running, with their route settings. */
export function teamsOf(
  ctx: RouterContext,
  route: RouteSpec,
): { id: TeamBridgeId; bridge: TeamBridge; route: TeamRoute }[] {
  return (Object.keys(route.teams) as TeamBridgeId[]).flatMap((id) => {
    const bridge = ctx.teams[id];
    const team = route.teams[id];
    return bridge && team ? [{ id, bridge, route: team }] : [];
  });
}

/** A link's address on one team platform, in the bridge interface's terms. */
export function postOf(link: MessageLink | undefined, team: TeamBridgeId): PostRef | undefined {
  if (team === 'slack') return link?.slack && { channel: link.slack.channel, id: link.slack.ts };
  return link?.discord && { channel: link.discord.channel, id: link.discord.id };
}

/** The store's form of a team post address. */
export function sideOf(team: TeamBridgeId, post: PostRef) {
  return team === 'slack'
    ? { slack: { channel: post.channel, ts: post.id } }
    : { discord: { channel: post.channel, id: post.id } };
}

/** The link holding a team message, found by its address. */
export function findLinkByPost(ctx: RouterContext, team: TeamBridgeId, post: PostRef): MessageLink | undefined {
  return team === 'slack' ? ctx.store.links.findBySlack(post.channel, post.id) : ctx.store.links.findByDiscord(post.id);
}

/** The conversation's thread on a team platform, when it has one in the route's current channel. */
export function threadOf(
  conversation: Conversation | undefined,
  team: TeamBridgeId,
  channel?: string,
): ThreadRef | undefined {
  const thread = conversation?.threads[team];
  return thread && (channel === undefined || thread.channel === channel) ? thread : undefined;
}

/** The text a note shows for an error. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
