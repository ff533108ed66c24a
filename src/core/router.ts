import type { Logger } from 'pino';
import type { Effect, Store } from '../store/store.js';
import { applyEffect, bridgesOf, planAfterFailure } from './apply-effect.js';
import type { Later } from './apply-phone.js';
import type { PhoneBridge, TeamBridge } from './bridge.js';
import type { EffectOp } from './effect-ops.js';
import { noMetrics, type RouterMetrics } from './metrics.js';
import type { BridgeEvent, BridgeId, Ingress, TeamBridgeId } from './model.js';
import { planDelivery, planPhoneMessage, planPhoneReaction } from './plan-phone.js';
import { planStart, planTeamChange, planTeamMessage, planTeamReaction, type PlanOutcome } from './plan-team.js';
import type { ReactionTable } from './reactions.js';
import type { EffectSink, RouterContext } from './router-context.js';
import { indexRoutes, type RouteSpec } from './routes.js';

export interface RouterDeps {
  readonly store: Store;
  readonly phone: PhoneBridge;
  readonly teams: Readonly<Partial<Record<TeamBridgeId, TeamBridge>>>;
  readonly routes: readonly RouteSpec[];
  readonly reactions: ReactionTable;
  /** Where planned effects go (the effect runner). */
  readonly effects: EffectSink;
  readonly log: Logger;
  readonly now?: () => number;
  readonly metrics?: RouterMetrics;
  /** When accepted sends are asked about, from their acceptance. Default 15 s, 1 min, 5 min, 30 min. */
  readonly pollScheduleMs?: readonly number[];
  /** A team thread was created and linked: parked events may now be placed. */
  readonly onThreadLinked?: () => void;
}

const defaultPollScheduleMs = [15_000, 60_000, 5 * 60_000, 30 * 60_000] as const;

/** The router: turns normalized events into effects and applies them. Knows no platform. */
export interface Router {
  /**
   * Plans one journaled event into effects (synchronous, no remote calls: what needs the platforms is
   * done by the effects). Never throws for an event it cannot place; it logs and plans nothing. `parked`:
   * the event may be placed once a thread being created is linked (see `onThreadLinked`); plan it again then.
   */
  plan(ingress: Ingress): PlanOutcome;
  /** Applies one effect (see `applyEffect`). */
  apply(effect: Effect, replay: boolean): Promise<Later | void>;
  /** The platforms an effect calls. */
  bridgesOf(effect: Effect): readonly BridgeId[];
  /** Makes a failure for good visible to the team. */
  afterFailure(effect: Effect, reason: string): void;
}

export function createRouter(deps: RouterDeps): Router {
  const ctx: RouterContext = {
    store: deps.store,
    phone: deps.phone,
    teams: deps.teams,
    routes: indexRoutes(deps.routes),
    reactions: deps.reactions,
    effects: deps.effects,
    log: deps.log,
    now: deps.now ?? Date.now,
    metrics: deps.metrics ?? noMetrics,
    pollScheduleMs:
      deps.pollScheduleMs && deps.pollScheduleMs.length > 0
        ? (deps.pollScheduleMs as [number, ...number[]])
        : defaultPollScheduleMs,
    resolved: new Map(),
    threadLinked: deps.onThreadLinked ?? (() => undefined),
  };
  const logFor = (effect: Effect) => {
    const op = effect.op as EffectOp;
    return ctx.log.child({
      effect: effect.id,
      op: op.kind,
      destination: effect.destination,
      ...('conversation' in op && op.conversation ? { conversation: op.conversation.chat } : {}),
    });
  };
  return {
    plan(ingress) {
      const event = ingress.event;
      const log = ctx.log.child({
        bridge: event.origin.bridge,
        kind: event.kind,
        message_id: event.origin.messageId,
        ...(event.origin.conversation ? { conversation: event.origin.conversation.chat } : {}),
      });
      const outcome = plan({ ...ctx, log }, event);
      if (outcome === 'planned') ctx.metrics.received(event.origin.bridge, event.kind);
      return outcome;
    },
    apply: (effect, replay) => applyEffect({ ...ctx, log: logFor(effect) }, effect, replay),
    bridgesOf: (effect) => bridgesOf(effect.op as EffectOp),
    afterFailure(effect, reason) {
      const op = effect.op as EffectOp;
      const bridge = bridgesOf(op)[0] ?? 'imessage';
      ctx.metrics.failed(bridge, effect.lastError?.code ?? 'unexpected');
      planAfterFailure({ ...ctx, log: logFor(effect) }, effect, reason);
    },
  };
}

function plan(ctx: RouterContext, event: BridgeEvent): PlanOutcome {
  const fromPhone = event.origin.bridge === 'imessage';
  switch (event.kind) {
    case 'message':
      if (!fromPhone) return planTeamMessage(ctx, event);
      planPhoneMessage(ctx, event);
      break;
    case 'reaction':
      if (fromPhone) planPhoneReaction(ctx, event);
      else planTeamReaction(ctx, event);
      break;
    case 'delivery':
      planDelivery(ctx, event);
      break;
    case 'edit':
    case 'delete':
      if (!fromPhone) planTeamChange(ctx, event);
      break;
    case 'start':
      planStart(ctx, event);
      break;
  }
  return 'planned';
}
