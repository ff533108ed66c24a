import type { MessageId, StartEvent, ThreadId } from './model.js';
import { ensureThread } from './from-phone.js';
import { routeTeamMessage } from './from-team.js';
import { laneOf, sideOf, teamsOf, type RouterContext } from './router-context.js';

/**
 * A team member starts a conversation from a route's channel: the contact's chat is found on the
 * line (messages.dev only delivers to contacts who texted first, so an unknown contact gets a clear
 * explanation instead), the conversation's threads are created where missing, the message is posted
 * in the thread it was started from, then sent like any reply (and marked ✅ or ⚠️).
 */
export async function routeStart(ctx: RouterContext, event: StartEvent): Promise<void> {
  const team = event.origin.bridge;
  const channel = event.origin.channel;
  if (team === 'imessage' || !channel) return;
  const bridge = ctx.teams[team];
  const tell = (text: string) => bridge?.tellInChannel?.(channel, event.author.id, text) ?? Promise.resolve();
  const route = [...ctx.routes.values()].find((candidate) => candidate.teams[team]?.channel === channel);
  if (!bridge || !route) {
    await tell('This channel is not linked to a line: use the command in a channel that a route names.');
    return;
  }
  if (route.teams[team]?.mode !== 'two-way') {
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
  ctx.store.conversations.upsert(key, { participants: [event.handle], lastActivityAt: event.sentAt });
  const threads = await Promise.all(
    teamsOf(ctx, route).map(({ id, bridge: teamBridge, route: teamRoute }) =>
      ctx.lanes
        .run(laneOf(key, id), () => ensureThread(ctx, id, teamBridge, teamRoute, key))
        .then((thread) => ({ id, thread })),
    ),
  );
  const origin = threads.find((entry) => entry.id === team)!.thread;
  const post = await ctx.lanes.run(laneOf(key, team), () =>
    bridge.post(origin, {
      voice: 'team',
      author: event.author,
      text: event.text,
      attachments: [],
      openAttachment: bridge.openAttachment,
      idempotencyKey: `${team}:start:${event.origin.messageId}`,
      replay: false,
    }),
  );
  ctx.log.info({ bridge: team, conversation: key.chat, line: key.line }, 'Conversation started from the team side');
  // The posted copy now stands for the team member's message: send it as a reply from that thread.
  ctx.store.links.create({
    conversation: key,
    origin: team,
    delivery: 'pending',
    ...sideOf(team, post),
  });
  await routeTeamMessage(
    ctx,
    {
      kind: 'message',
      origin: { bridge: team, messageId: post.id as MessageId, channel, thread: origin.thread as ThreadId },
      author: event.author,
      sentAt: event.sentAt,
      text: event.text,
      attachments: [],
    },
    false,
    { command: true },
  );
}
