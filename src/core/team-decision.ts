import type { ResolvableEvent } from './bridge.js';
import type { TeamBridgeId } from './model.js';
import { decideReply } from './reply-rule.js';
import type { RouterContext } from './router-context.js';
import type { RouteSpec } from './routes.js';

/** Resolved events kept for the other effects of the same event. */
const maxCached = 2_000;

/**
 * The event with its markup rendered and names looked up, by the bridge it came from. The effects of one
 * team message (reply, mirror, review) each need it; the first to run resolves it, the others reuse that.
 */
export async function resolveEvent<E extends ResolvableEvent>(ctx: RouterContext, event: E): Promise<E> {
  if (!event.unresolved || event.origin.bridge === 'imessage') return event;
  const bridge = ctx.teams[event.origin.bridge];
  if (!bridge?.resolve) return event;
  const cache = ctx.resolved;
  const key = `${event.kind}:${event.origin.bridge}:${event.origin.channel ?? ''}:${event.origin.messageId}`;
  const cached = cache.get(key);
  if (cached) return cached as E;
  const resolved = await bridge.resolve(event);
  if (cache.size >= maxCached) cache.delete(cache.keys().next().value!);
  cache.set(key, resolved);
  return resolved;
}

/** What becomes of a team member's message: sent to the customer (with this text), or kept in the thread. */
export type TeamMessageDecision =
  | { readonly send: true; readonly text: string }
  | {
      readonly send: false;
      /** Why a message meant for the customer was not sent, for its author. */ readonly refusal?: string;
    };

/**
 * One rule for every lane a team message touches: a note stays internal; in a mirror route, or from
 * someone not on the allow-list, a message meant for the customer is refused (and its author told).
 * A `/text` command is meant for the customer outright: no prefix rule applies.
 */
export function decideTeamMessage(
  route: RouteSpec,
  team: TeamBridgeId,
  event: { readonly text: string; readonly author: { readonly mayText?: boolean } },
  command = false,
): TeamMessageDecision {
  const decision = command ? ({ send: true, text: event.text } as const) : decideReply(event.text, route.replies);
  if (!decision.send) return { send: false };
  if (route.teams[team]?.mode !== 'two-way') {
    return {
      send: false,
      refusal: 'This channel mirrors the conversation read-only: your message was not sent to the customer.',
    };
  }
  if (event.author.mayText === false) {
    return {
      send: false,
      refusal: 'You are not on the list of people who may text customers from here: your message was not sent.',
    };
  }
  return decision;
}
