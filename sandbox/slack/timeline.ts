import type { SlackCore } from './core.js';
import {
  canonicalReaction,
  messageChangedEvent,
  messageDeletedEvent,
  messageEvent,
  reactionEvent,
  wireMessage,
} from './messages.js';
import type { DeliveryOutcome, SimChannel, SimMessage } from './types.js';

/** Changes to the channel timeline: each updates state, tells the demo, and returns the Events API event(s). */

export function addMessage(core: SlackCore, channel: SimChannel, message: SimMessage): Record<string, unknown> {
  core.state.add(channel.id, message);
  core.emit('message', { channel: channel.id, message: wireMessage(message) });
  const root =
    message.thread_ts !== undefined && message.thread_ts !== message.ts
      ? core.state.message(channel.id, message.thread_ts)
      : undefined;
  return messageEvent(channel, message, root);
}

/** Applies an edit in place and returns the `message_changed` event. */
export function editMessage(
  core: SlackCore,
  channel: SimChannel,
  message: SimMessage,
  editor: string,
  change: (message: SimMessage) => void,
): Record<string, unknown> {
  const previous = wireMessage(message);
  const eventTs = core.nextTs();
  change(message);
  message.edited = { user: editor, ts: eventTs };
  core.emit('update', { channel: channel.id, message: wireMessage(message), previous });
  return messageChangedEvent(channel, message, previous, eventTs);
}

/**
 * Deletes a message and returns the events Slack sends: `message_deleted`, or for a parent with replies a
 * `message_changed` to a tombstone; deleting the last reply under a tombstone also deletes the tombstone.
 */
export function removeMessage(core: SlackCore, channel: SimChannel, ts: string): Array<Record<string, unknown>> {
  const removal = core.state.remove(channel.id, ts);
  if (!removal) return [];
  if (removal.tombstone) {
    const { previous, message } = removal.tombstone;
    core.emit('update', { channel: channel.id, message: wireMessage(message), previous });
    return [messageChangedEvent(channel, message, previous, core.nextTs())];
  }
  core.emit('delete', { channel: channel.id, ts, previous: removal.previous });
  const events = [messageDeletedEvent(channel, removal.previous, core.nextTs())];
  if (removal.removedTombstone) {
    const tombstone = wireMessage(removal.removedTombstone);
    core.emit('delete', { channel: channel.id, ts: tombstone.ts, previous: tombstone });
    events.push(messageDeletedEvent(channel, tombstone, core.nextTs()));
  }
  return events;
}

export type ReactionResult = { event: Record<string, unknown> } | { error: 'already_reacted' | 'no_reaction' };

/** Adds or removes one user's reaction; returns the reaction event, or Slack's error. */
export function setReaction(
  core: SlackCore,
  input: { channel: SimChannel; message: SimMessage; user: string; name: string; removed: boolean },
): ReactionResult {
  const name = canonicalReaction(input.name);
  const { message } = input;
  const reactions = message.reactions ?? [];
  const existing = reactions.find((reaction) => reaction.name === name);
  const has = existing?.users.includes(input.user) ?? false;
  if (!input.removed && has) return { error: 'already_reacted' };
  if (input.removed && !has) return { error: 'no_reaction' };
  if (input.removed && existing) {
    existing.users = existing.users.filter((user) => user !== input.user);
    existing.count = existing.users.length;
    message.reactions = reactions.filter((reaction) => reaction.count > 0);
    if (message.reactions.length === 0) delete message.reactions;
  } else if (existing) {
    existing.users.push(input.user);
    existing.count = existing.users.length;
  } else {
    message.reactions = [...reactions, { name, users: [input.user], count: 1 }];
  }
  core.emit('reaction', { channel: input.channel.id, ts: message.ts, name, user: input.user, removed: input.removed });
  const event = reactionEvent({
    removed: input.removed,
    user: input.user,
    name,
    channel: input.channel.id,
    ts: message.ts,
    itemUser: core.authorOf(message),
    eventTs: core.nextTs(),
  });
  return { event };
}

/** Delivers events one after the other (their order matters, e.g. tombstone then delete). */
export async function deliverInOrder(
  core: SlackCore,
  events: Array<Record<string, unknown>>,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const event of events) outcomes.push(await core.dispatcher.deliverEvent(event));
  return outcomes;
}
