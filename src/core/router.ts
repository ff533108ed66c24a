import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { PhoneBridge, TeamBridge } from './bridge.js';
import { routeDelivery, routePhoneMessage, routePhoneReaction } from './from-phone.js';
import { routeTeamChange, routeTeamMessage, routeTeamReaction } from './from-team.js';
import { Lanes } from './lanes.js';
import { routeStart } from './start-conversation.js';
import { noMetrics, type RouterMetrics } from './metrics.js';
import type { BridgeEvent, Ingress, TeamBridgeId } from './model.js';
import type { ReactionTable } from './reactions.js';
import type { RouterContext } from './router-context.js';
import { indexRoutes, type RouteSpec } from './routes.js';

export interface RouterDeps {
  readonly store: Store;
  readonly phone: PhoneBridge;
  readonly teams: Readonly<Partial<Record<TeamBridgeId, TeamBridge>>>;
  readonly routes: readonly RouteSpec[];
  readonly reactions: ReactionTable;
  readonly log: Logger;
  readonly now?: () => number;
  readonly metrics?: RouterMetrics;
}

export interface Router {
  /**
   * Applies one journaled event: resolves when every destination has settled (delivered, or failed
   * for good with a note in the thread). Never rejects for a destination's failure.
   * @param replay true when the event is redone after a restart.
   */
  route(ingress: Ingress, replay: boolean): Promise<void>;
  /** Resolves when no work is in flight. */
  drain(): Promise<void>;
}

/** The router: takes normalized events and fans them out. Knows no platform. */
export function createRouter(deps: RouterDeps): Router {
  const ctx: RouterContext = {
    store: deps.store,
    phone: deps.phone,
    teams: deps.teams,
    routes: indexRoutes(deps.routes),
    reactions: deps.reactions,
    lanes: new Lanes(),
    log: deps.log,
    now: deps.now ?? Date.now,
    metrics: deps.metrics ?? noMetrics,
  };
  return {
    async route(ingress, replay) {
      const event = ingress.event;
      const log = ctx.log.child({
        bridge: event.origin.bridge,
        kind: event.kind,
        message_id: event.origin.messageId,
        ...(event.origin.conversation ? { conversation: event.origin.conversation.chat } : {}),
      });
      ctx.metrics.received(event.origin.bridge, event.kind);
      try {
        await dispatch({ ...ctx, log }, event, replay);
      } catch (error) {
        log.error({ err: error }, 'Failed to route event');
      }
    },
    drain: () => ctx.lanes.drain(),
  };
}

function dispatch(ctx: RouterContext, event: BridgeEvent, replay: boolean): Promise<void> {
  const fromPhone = event.origin.bridge === 'imessage';
  switch (event.kind) {
    case 'message':
      return fromPhone ? routePhoneMessage(ctx, event, replay) : routeTeamMessage(ctx, event, replay);
    case 'reaction':
      return fromPhone ? routePhoneReaction(ctx, event) : routeTeamReaction(ctx, event);
    case 'delivery':
      return routeDelivery(ctx, event);
    case 'edit':
    case 'delete':
      return fromPhone ? Promise.resolve() : routeTeamChange(ctx, event);
    case 'start':
      return routeStart(ctx, event);
  }
}
