import type { Logger } from 'pino';
import type { Conversation, MessageLink, Store } from '../store/store.js';
import type { PhoneBridge, PostRef, TeamBridge, ThreadRef } from './bridge.js';
import type { Lanes } from './lanes.js';
import type { RouterMetrics } from './metrics.js';
import { conversationId, type BridgeId, type ConversationKey, type TeamBridgeId } from './model.js';
import type { ReactionTable } from './reactions.js';
import type { RouteSpec } from './routes.js';

/** What every router step needs; built once by `createRouter`. */
export interface RouterContext {
  readonly store: Store;
  readonly phone: PhoneBridge;
  readonly teams: Readonly<Partial<Record<TeamBridgeId, TeamBridge>>>;
  readonly routes: ReadonlyMap<string, RouteSpec>;
  readonly reactions: ReactionTable;
  readonly lanes: Lanes;
  readonly log: Logger;
  readonly now: () => number;
  readonly metrics: RouterMetrics;
}

/** The lane of one conversation on one platform. */
export function laneOf(key: ConversationKey, bridge: 'imessage' | TeamBridgeId): string {
  return `${conversationId(key)}|${bridge}`;
}

/** The team bridges a route uses that are running, with their route settings. */
export function teamsOf(ctx: RouterContext, route: RouteSpec) {
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

/** Runs the steps for several destinations side by side; one failing never stops another. */
export async function fanOut(ctx: RouterContext, steps: readonly { label: string; run: () => Promise<unknown> }[]) {
  const results = await Promise.allSettled(steps.map((step) => step.run()));
  results.forEach((result, index) => {
    if (result.status === 'rejected') {
      const label = steps[index]!.label;
      const reason = (result.reason as { code?: unknown } | null)?.code;
      ctx.metrics.failed(
        label.slice(0, label.indexOf(':')) as BridgeId,
        typeof reason === 'string' ? reason : 'unexpected',
      );
      ctx.log.error({ err: result.reason, destination: label }, 'Failed to deliver to destination');
    }
  });
}

/** The text a note shows for an error. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
