import type { SlackCore } from './core.js';
import { createFile, recordShare } from './files.js';
import { buildHumanMessage, richTextBlocks } from './messages.js';
import { addMessage, deliverInOrder, editMessage, removeMessage, setReaction } from './timeline.js';
import type {
  DeleteAsUserInput,
  DeliveryOutcome,
  EditAsUserInput,
  PostAsUserInput,
  ReactInput,
  SimChannel,
} from './types.js';

/** What people do in Slack: each changes state and delivers the event Slack would send. Misuse throws. */

export function requireChannel(core: SlackCore, id: string): SimChannel {
  const channel = core.state.findChannel(id);
  if (!channel) throw new Error(`The Slack simulator has no channel ${id}`);
  return channel;
}

export function requireUser(core: SlackCore, id: string): void {
  if (!core.state.users.has(id)) throw new Error(`The Slack simulator has no user ${id}`);
}

export async function postAsUser(core: SlackCore, input: PostAsUserInput): Promise<DeliveryOutcome & { ts: string }> {
  const channel = requireChannel(core, input.channel);
  requireUser(core, input.user);
  let threadTs: string | undefined;
  let parentUserId: string | undefined;
  if (input.threadTs !== undefined) {
    const parent = core.state.threadParent(channel.id, input.threadTs);
    if (!parent) throw new Error(`No message ${input.threadTs} in ${channel.id} to reply to`);
    threadTs = parent.ts;
    parentUserId = core.authorOf(parent);
  }
  const ts = core.nextTs();
  const files = (input.files ?? []).map((file) =>
    createFile(core, {
      name: file.name,
      ...(file.title === undefined ? {} : { title: file.title }),
      mimetype: file.mimeType,
      data: file.data,
      user: input.user,
    }),
  );
  for (const file of files) recordShare(file, channel, ts, threadTs);
  const message = buildHumanMessage({
    ts,
    user: input.user,
    text: input.text,
    teamId: core.config.team.id,
    ...(threadTs === undefined ? {} : { threadTs }),
    ...(parentUserId === undefined ? {} : { parentUserId }),
    broadcast: input.broadcast ?? false,
    files,
  });
  const event = addMessage(core, channel, message);
  return { ts, ...(await core.dispatcher.deliverEvent(event)) };
}

export async function editAsUser(core: SlackCore, input: EditAsUserInput): Promise<DeliveryOutcome> {
  const channel = requireChannel(core, input.channel);
  const message = core.state.message(channel.id, input.ts);
  if (!message) throw new Error(`No message ${input.ts} in ${channel.id}`);
  if (message.user !== input.user) throw new Error(`Message ${input.ts} was not written by ${input.user}`);
  const event = editMessage(core, channel, message, input.user, (target) => {
    target.text = input.text;
    target.blocks = richTextBlocks(input.text);
  });
  return core.dispatcher.deliverEvent(event);
}

/** Deletes any message (as its author or an admin); a parent with replies becomes a tombstone. */
export async function deleteAsUser(core: SlackCore, input: DeleteAsUserInput): Promise<DeliveryOutcome> {
  const channel = requireChannel(core, input.channel);
  const events = removeMessage(core, channel, input.ts);
  const [first] = await deliverInOrder(core, events);
  if (!first) throw new Error(`No message ${input.ts} in ${channel.id}`);
  return first;
}

export async function react(core: SlackCore, input: ReactInput): Promise<DeliveryOutcome> {
  const channel = requireChannel(core, input.channel);
  requireUser(core, input.user);
  const message = core.state.message(channel.id, input.ts);
  if (!message) throw new Error(`No message ${input.ts} in ${channel.id}`);
  const result = setReaction(core, {
    channel,
    message,
    user: input.user,
    name: input.name,
    removed: input.removed ?? false,
  });
  if ('error' in result) throw new Error(`${input.user} cannot do that: ${result.error}`);
  return core.dispatcher.deliverEvent(result.event);
}
