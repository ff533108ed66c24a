import { classifySendError } from '../queue/classify-error.js';
import { CheckLaterError } from './errors.js';
import type { Effect } from '../store/store.js';
import type { PhoneMessage } from './bridge.js';
import { openerOf } from './apply-team.js';
import type { LineMessageOp, ReplyOp, TapbackOp, TrackOp } from './effect-ops.js';
import type { Attachment, TeamBridgeId } from './model.js';
import { planDelivered, planMirrorOfPhoneMessage, trackLaneOf } from './plan-phone.js';
import type { RouterContext } from './router-context.js';
import { decideTeamMessage, resolveEvent } from './team-decision.js';

/** What the router may ask the runner for: run the effect again after a while (not a failure). */
export interface Later {
  readonly laterMs: number;
}

/**
 * A team message to the phone: decided (note, refusal) like its other effects, then sent one attachment
 * per send. Each accepted part is recorded (`progress`) before the next is sent, so a crash resends none
 * that went out; the part in flight at the crash is reconciled by the phone bridge (`replay`).
 */
export async function applyReply(
  ctx: RouterContext,
  effect: Effect,
  op: ReplyOp,
  replay: boolean,
): Promise<Later | void> {
  const route = ctx.routes.get(op.conversation.line);
  const team = op.event.origin.bridge as TeamBridgeId;
  const link = ctx.store.links.get(op.linkId);
  if (!route || !link) return;
  const event = await resolveEvent(ctx, op.event);
  const decision = decideTeamMessage(route, team, event, op.command ?? false);
  if (!decision.send) return;
  if (link.delivery === undefined) ctx.store.links.update(link.id, { delivery: 'pending' });
  const parts = splitForPhone(decision.text, event.attachments);
  const start = effect.progress ?? 0;
  for (let index = start; index < parts.length; index++) {
    const part = parts[index]!;
    const message: PhoneMessage = {
      text: part.text,
      ...(part.attachment ? { attachment: part.attachment } : {}),
      openAttachment: openerOf(ctx, team),
      idempotencyKey: `${team}:${event.origin.messageId}:${index}`,
      // The in-doubt mark belongs to the part that was in flight: the first one this run sends.
      replay: replay && index === start,
      ...(replay && index === start && effect.attemptedAt !== undefined ? { attemptedAt: effect.attemptedAt } : {}),
    };
    let outboxId: string;
    try {
      ({ outboxId } = await ctx.phone.send(op.conversation, message));
    } catch (error) {
      // Still in doubt: not a failure, just too early to tell; the lane waits without counting an attempt.
      if (error instanceof CheckLaterError) return { laterMs: error.checkAfterMs };
      // The platform answered (an error, a 429): this part was certainly not sent, so the retry sends it at
      // once instead of waiting out the reconcile window of a send in doubt.
      if (classifySendError(error, false).kind !== 'outcome_unknown') {
        ctx.store.effects.update(effect.id, { attemptedAt: null });
      }
      throw error;
    }
    // Latency to the phone is observed when messages.dev confirms delivery (planDelivered).
    ctx.metrics.delivered('imessage', 0, 'to_phone');
    const partLink =
      index === 0
        ? (ctx.store.links.update(link.id, { imessage: { outboxId } }) ?? link)
        : ctx.store.links.create({
            conversation: op.conversation,
            origin: team,
            delivery: 'pending',
            imessage: { outboxId },
          });
    planTrack(ctx, op.conversation, partLink.id, outboxId);
    ctx.store.effects.update(effect.id, { progress: index + 1, attemptedAt: null });
  }
}

/** Follows an accepted send: messages.dev has no failure webhook. */
function planTrack(ctx: RouterContext, conversation: ReplyOp['conversation'], linkId: string, outboxId: string): void {
  ctx.effects.add({
    lane: trackLaneOf(outboxId),
    destination: 'imessage:outbox',
    op: { kind: 'track', conversation, linkId, outboxId },
    notBefore: ctx.now() + ctx.pollScheduleMs[0],
  });
}

/**
 * Asks messages.dev how a send ended, unless `message.sent` already told (the planner then wakes this).
 * Still pending: asks again later, on a widening schedule.
 */
export async function applyTrack(ctx: RouterContext, effect: Effect, op: TrackOp): Promise<Later | undefined> {
  const link = ctx.store.links.get(op.linkId);
  const route = ctx.routes.get(op.conversation.line);
  if (!link || !route || link.delivery === 'sent' || link.delivery === 'failed') return undefined;
  const { status, reason } = await ctx.phone.deliveryOf(op.outboxId);
  if (status === 'pending') {
    const polls = (effect.progress ?? 0) + 1;
    ctx.store.effects.update(effect.id, { progress: polls });
    return { laterMs: delayBeforePoll(ctx.pollScheduleMs, polls) };
  }
  if (status === 'failed') ctx.metrics.failed('imessage', 'outbox_failed');
  planDelivered(
    ctx,
    route,
    link,
    status,
    status === 'failed' ? `messages.dev could not deliver it: ${reason ?? 'no reason given'}` : undefined,
  );
  return undefined;
}

/** The wait before poll number `polls` (the first was at `schedule[0]`); past the end, the last interval again. */
function delayBeforePoll(schedule: readonly [number, ...number[]], polls: number): number {
  const at = Math.min(polls, schedule.length - 1);
  const interval = at > 0 ? schedule[at]! - schedule[at - 1]! : schedule[0];
  return Math.max(1, interval);
}

/** A team reaction as a tapback on the message's phone side (once it has one). */
export async function applyTapback(ctx: RouterContext, op: TapbackOp): Promise<void> {
  const link = ctx.store.links.get(op.linkId);
  const target = link?.imessage?.id ?? link?.imessage?.guid;
  if (!target) {
    ctx.log.debug({ conversation: op.conversation.chat }, 'Reaction on a message with no phone id; not sent');
    return;
  }
  await ctx.phone.react(op.conversation, target, op.tapback);
}

/** A message the line sent, decided once this conversation's earlier sends settled. */
export function applyLineMessage(ctx: RouterContext, op: LineMessageOp): void {
  const route = ctx.routes.get(op.conversation.line);
  if (!route) return;
  const { event } = op;
  const own = event.outboxId ? ctx.store.links.findByOutboxId(event.outboxId) : undefined;
  if (own) {
    planDelivered(ctx, route, own, 'sent', undefined, {
      id: event.origin.messageId,
      ...(event.guid ? { guid: event.guid } : {}),
    });
    return;
  }
  planMirrorOfPhoneMessage(ctx, route, event);
}

/** One attachment per messages.dev send: the text travels with the first, each further file alone. */
export function splitForPhone(
  text: string,
  attachments: readonly Attachment[],
): { text: string; attachment?: Attachment }[] {
  if (attachments.length === 0) return [{ text }];
  return attachments.map((attachment, index) => ({ text: index === 0 ? text : '', attachment }));
}
