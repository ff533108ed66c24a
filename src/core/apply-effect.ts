import type { Effect } from '../store/store.js';
import { applyLineMessage, applyReply, applyTapback, applyTrack, type Later } from './apply-phone.js';
import { applyStart } from './apply-start.js';
import { applyMark, applyMirror, applyNotice, applyPost, applyReact, applyReview, applyTell } from './apply-team.js';
import type { EffectOp } from './effect-ops.js';
import type { BridgeId, ConversationKey, TeamBridgeId } from './model.js';
import { planDelivered } from './plan-phone.js';
import { planOn, type RouterContext } from './router-context.js';

/**
 * Applies one effect. Resolves when it is done (or has nothing left to do: its route or link is gone), or
 * with `Later` when it must simply be asked again after a while; throws the failure otherwise (the runner
 * decides between retrying and giving up). `replay`: an earlier attempt may have landed before a crash or
 * an unclear failure, so the bridges check before acting again.
 */
export async function applyEffect(ctx: RouterContext, effect: Effect, replay: boolean): Promise<Later | void> {
  const op = effect.op as EffectOp;
  switch (op.kind) {
    case 'post':
      return applyPost(ctx, op, replay);
    case 'react':
      return applyReact(ctx, op);
    case 'mark':
      return applyMark(ctx, op);
    case 'notice':
      return applyNotice(ctx, op, replay);
    case 'tell':
      return applyTell(ctx, op);
    case 'review':
      return applyReview(ctx, op);
    case 'mirror':
      return applyMirror(ctx, op, replay);
    case 'reply':
      return applyReply(ctx, effect, op, replay);
    case 'tapback':
      return applyTapback(ctx, op);
    case 'track':
      return applyTrack(ctx, effect, op);
    case 'line-message':
      return applyLineMessage(ctx, op);
    case 'start':
      return applyStart(ctx, op);
  }
}

/** The platforms an effect calls: it waits until each of their bridges is connected. */
export function bridgesOf(op: EffectOp): readonly BridgeId[] {
  switch (op.kind) {
    case 'post':
    case 'react':
    case 'mark':
    case 'notice':
    case 'tell':
    case 'review':
    case 'mirror':
      return [op.team];
    case 'reply':
    case 'tapback':
    case 'track':
    case 'line-message':
      return ['imessage'];
    case 'start':
      return [op.team, 'imessage'];
  }
}

/**
 * After an effect failed for good: the team sees it where it matters (a ⚠️ on a reply that did not reach
 * the customer, a notice in the thread a text could not reach). Effects that only annotate (marks,
 * reactions, notices) are logged and counted, not announced again.
 */
export function planAfterFailure(ctx: RouterContext, effect: Effect, reason: string): void {
  const op = effect.op as EffectOp;
  const notice = (team: TeamBridgeId, conversation: ConversationKey, text: string) => {
    const route = ctx.routes.get(conversation.line);
    if (!route?.teams[team]) return;
    planOn(ctx, route, conversation, team, { kind: 'notice', team, conversation, text, key: `failed:${effect.id}` });
  };
  switch (op.kind) {
    case 'reply': {
      const link = ctx.store.links.get(op.linkId);
      const route = ctx.routes.get(op.conversation.line);
      if (link && route) planDelivered(ctx, route, link, 'failed', reason);
      return;
    }
    case 'track': {
      const link = ctx.store.links.get(op.linkId);
      const route = ctx.routes.get(op.conversation.line);
      if (link && route && link.delivery === 'pending') {
        planDelivered(ctx, route, link, 'failed', `messages.dev never confirmed the delivery: ${reason}`);
      }
      return;
    }
    case 'post':
      notice(op.team, op.conversation, `A message could not be shown here: ${reason}`);
      return;
    case 'mirror':
      notice(op.team, op.conversation, `A team reply could not be copied here: ${reason}`);
      return;
    case 'tapback': {
      const origin = ctx.store.links.get(op.linkId)?.origin;
      if (origin && origin !== 'imessage') {
        notice(origin, op.conversation, `A reaction could not reach the customer: ${reason}`);
      }
      return;
    }
    case 'start':
      ctx.effects.add({
        lane: effect.lane,
        destination: effect.destination,
        op: {
          kind: 'tell',
          team: op.team,
          channel: op.event.origin.channel ?? '',
          userId: op.event.author.id,
          text: `Nothing was sent to ${op.event.handle}: ${reason}`,
        },
      });
      return;
    case 'line-message':
    case 'react':
    case 'mark':
    case 'notice':
    case 'tell':
    case 'review':
      return;
  }
}
