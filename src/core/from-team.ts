import type { Attachment, DeleteEvent, EditEvent, MessageEvent, ReactionEvent, TeamBridgeId } from './model.js';
import type { PhoneMessage, PostRef, TeamBridge, ThreadRef } from './bridge.js';
import { decideReply } from './reply-rule.js';
import { markDelivered } from './from-phone.js';
import {
  fanOut,
  findLinkByPost,
  laneOf,
  reasonOf,
  sideOf,
  teamsOf,
  threadOf,
  type RouterContext,
} from './router-context.js';
import type { Conversation } from '../store/store.js';
import type { RouteSpec } from './routes.js';

/** How long a send attempt is remembered for reconciling after a crash. */
const attemptMemoryMs = 7 * 24 * 60 * 60 * 1000;

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
 * A team member's message in a linked thread: internal notes stay (📝); in a two-way route, an allowed
 * author's message goes to the phone (one attachment per send) and is mirrored into the route's other
 * team threads; the message is marked ✅ when messages.dev confirms it, ⚠️ with the reason when it fails.
 */
export async function routeTeamMessage(
  ctx: RouterContext,
  event: MessageEvent,
  replay: boolean,
  options: { command?: boolean } = {},
): Promise<void> {
  const scene = sceneOf(ctx, event);
  if (!scene) return;
  const { team, bridge, conversation, route, thread } = scene;
  const key = conversation.key;
  const own: PostRef = { channel: event.origin.channel!, id: event.origin.messageId };
  const existing = findLinkByPost(ctx, team, own);
  if (existing && !options.command && (existing.origin !== team || !replay)) {
    ctx.log.debug({ bridge: team, message_id: own.id }, 'Ignored own echo');
    return;
  }
  const teamLane = laneOf(key, team);
  // A command (/text) says outright that it is for the customer: no prefix rule applies.
  const decision = options.command
    ? ({ send: true, text: event.text } as const)
    : decideReply(event.text, route.replies);
  const teamRoute = route.teams[team];
  const refusal =
    teamRoute?.mode === 'mirror'
      ? 'This channel mirrors the conversation read-only: your message was not sent to the customer.'
      : event.author.mayText === false
        ? 'You are not on the list of people who may text customers from here: your message was not sent.'
        : undefined;
  if (!decision.send || refusal) {
    if (!existing) ctx.store.links.create({ conversation: key, origin: team, ...sideOf(team, own) });
    await ctx.lanes.run(teamLane, async () => {
      await bridge.mark(thread, own, 'note');
      if (refusal) await bridge.tell(thread, event.author.id, refusal);
    });
    return;
  }
  const link =
    existing ?? ctx.store.links.create({ conversation: key, origin: team, delivery: 'pending', ...sideOf(team, own) });
  const parts = splitForPhone(decision.text, event.attachments);
  await fanOut(ctx, [
    {
      label: `imessage:${key.line}`,
      run: () =>
        ctx.lanes.run(laneOf(key, 'imessage'), async () => {
          try {
            for (const [index, part] of parts.entries()) {
              const idempotencyKey = `${team}:${own.id}:${index}`;
              // Each part is marked done once accepted: a replay after a restart skips those parts.
              if (ctx.store.dedupe.has(`send-done:${idempotencyKey}`)) continue;
              // A durable mark that this send was attempted: after a crash, the bridge reconciles instead of resending.
              const attempted = !ctx.store.dedupe.claim(`send-attempt:${idempotencyKey}`, attemptMemoryMs);
              if (!attempted) await ctx.store.commit();
              const message: PhoneMessage = {
                text: part.text,
                ...(part.attachment ? { attachment: part.attachment } : {}),
                openAttachment: bridge.openAttachment,
                idempotencyKey,
                replay: attempted,
              };
              const { outboxId } = await ctx.phone.send(key, message);
              // Latency to the phone is observed when messages.dev confirms delivery (markDelivered).
              ctx.metrics.delivered('imessage', 0, 'to_phone');
              if (index === 0) ctx.store.links.update(link.id, { imessage: { outboxId } });
              else
                ctx.store.links.create({
                  conversation: key,
                  origin: team,
                  delivery: 'pending',
                  imessage: { outboxId },
                });
              ctx.store.dedupe.claim(`send-done:${idempotencyKey}`, attemptMemoryMs);
            }
          } catch (error) {
            await markDelivered(ctx, route, ctx.store.links.get(link.id) ?? link, 'failed', reasonOf(error));
            throw error;
          }
        }),
    },
    ...teamsOf(ctx, route)
      .filter(({ id }) => id !== team)
      .map(({ id, bridge: other, route: otherRoute }) => ({
        label: `${id}:${otherRoute.channel}`,
        run: () =>
          ctx.lanes.run(laneOf(key, id), async () => {
            const otherThread = threadOf(ctx.store.conversations.get(key), id, otherRoute.channel);
            if (!otherThread || ctx.store.links.get(link.id)?.[id]) return;
            const post = await other.post(otherThread, {
              voice: 'team',
              author: event.author,
              text: decision.text,
              attachments: event.attachments,
              openAttachment: bridge.openAttachment,
              idempotencyKey: `${team}:${own.id}`,
              replay,
            });
            ctx.store.links.update(link.id, sideOf(id, post));
            ctx.metrics.delivered(id, event.sentAt, 'to_team');
          }),
      })),
  ]);
}

/** A team reaction on a bridged message becomes a tapback, when iMessage has one; removals cannot reach the phone. */
export async function routeTeamReaction(ctx: RouterContext, event: ReactionEvent): Promise<void> {
  const scene = sceneOf(ctx, event);
  if (!scene) return;
  const { team, bridge, conversation, route, thread } = scene;
  const link = findLinkByPost(ctx, team, { channel: event.origin.channel!, id: event.target });
  const target = link?.imessage?.id ?? link?.imessage?.guid;
  if (!link || !target) return;
  if (route.teams[team]?.mode !== 'two-way') return;
  if (event.removed) {
    ctx.log.debug({ bridge: team, message_id: event.target }, 'Reaction removal cannot reach the phone');
    return;
  }
  const result = ctx.reactions.emojiToTapback(event.emoji);
  if ('ignored' in result) {
    await ctx.lanes.run(laneOf(conversation.key, team), () => bridge.tell(thread, event.author.id, result.hint));
    return;
  }
  await fanOut(ctx, [
    {
      label: `imessage:${conversation.key.line}`,
      run: () =>
        ctx.lanes.run(laneOf(conversation.key, 'imessage'), () =>
          ctx.phone.react(conversation.key, target, result.tapback),
        ),
    },
  ]);
}

/** Edits and deletions cannot reach a phone: the author is told, never silently ignored. */
export async function routeTeamChange(ctx: RouterContext, event: EditEvent | DeleteEvent): Promise<void> {
  const scene = sceneOf(ctx, event);
  if (!scene) return;
  const link = findLinkByPost(ctx, scene.team, { channel: event.origin.channel!, id: event.target });
  if (!link?.imessage?.outboxId) return; // never sent to the phone: nothing to explain
  const text =
    event.kind === 'edit'
      ? 'Edits cannot reach the customer: they keep the original message. Send a new message to correct it.'
      : 'Deleting here does not unsend: the customer keeps the message.';
  await ctx.lanes.run(laneOf(scene.conversation.key, scene.team), () =>
    scene.bridge.tell(scene.thread, event.author.id, text),
  );
}

/** One attachment per messages.dev send: the text travels with the first, each further file alone. */
export function splitForPhone(
  text: string,
  attachments: readonly Attachment[],
): { text: string; attachment?: Attachment }[] {
  if (attachments.length === 0) return [{ text }];
  return attachments.map((attachment, index) => ({ text: index === 0 ? text : '', attachment }));
}
