import type { StartOp } from './effect-ops.js';
import type { MessageEvent, MessageId } from './model.js';
import { planOn, teamsOf, type RouterContext } from './router-context.js';
import { resolveEvent } from './team-decision.js';

/**
 * A team member starts a conversation from a route's channel: the contact's chat is found on the line
 * (messages.dev only delivers to contacts who texted first, so an unknown contact gets a clear explanation
 * instead); then the message is posted in the conversation's thread on every team platform of the route
 * (creating the threads) and sent like any reply, marked ✅ or ⚠️.
 */
export async function applyStart(ctx: RouterContext, op: StartOp): Promise<void> {
  const channel = op.event.origin.channel!;
  const bridge = ctx.teams[op.team];
  const event = await resolveEvent(ctx, op.event);
  const tell = async (text: string) => {
    await bridge?.tellInChannel?.(channel, event.author.id, text);
  };
  const route = [...ctx.routes.values()].find((candidate) => candidate.teams[op.team]?.channel === channel);
  if (!bridge || !route) {
    await tell('This channel is not linked to a line: use the command in a channel that a route names.');
    return;
  }
  if (route.teams[op.team]?.mode !== 'two-way') {
    await tell('This channel mirrors its line read-only: nothing can be texted from here.');
    return;
  }
  if (event.author.mayText === false) {
    await tell('You are not on the list of people who may text customers from here: nothing was sent.');
    return;
  }
  const key = await ctx.phone.findConversation(route.line, event.handle);
  if (!key) {
    await tell(
      `${event.handle} has not texted ${route.line} yet. messages.dev only delivers to contacts who wrote first: ask them to text the line, then reply in their thread.`,
    );
    return;
  }
  const known = ctx.store.conversations.get(key)?.participants ?? [];
  ctx.store.conversations.upsert(key, {
    lastActivityAt: event.sentAt,
    ...(known.includes(event.handle) ? {} : { participants: [...known, event.handle] }),
  });
  ctx.log.info({ bridge: op.team, conversation: key.chat, line: key.line }, 'Conversation started from the team side');
  // One link stands for the team member's message on every platform: posted copies and the send.
  const link = ctx.store.links.create({ conversation: key, origin: op.team, delivery: 'pending' });
  for (const { id } of teamsOf(ctx, route)) {
    planOn(ctx, route, key, id, {
      kind: 'post',
      team: id,
      conversation: key,
      linkId: link.id,
      voice: 'team',
      author: event.author,
      text: event.text,
      attachments: [],
      source: op.team,
      key: `${op.team}:start:${event.origin.messageId}`,
      sentAt: event.sentAt,
    });
  }
  const message: MessageEvent = {
    kind: 'message',
    origin: { bridge: op.team, messageId: `start:${event.origin.messageId}` as MessageId, channel },
    author: event.author,
    sentAt: event.sentAt,
    text: event.text,
    attachments: [],
  };
  planOn(ctx, route, key, 'imessage', {
    kind: 'reply',
    conversation: key,
    linkId: link.id,
    event: message,
    command: true,
  });
}
