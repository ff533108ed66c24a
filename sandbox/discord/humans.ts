import type { SimCore } from './core.js';
import { createMessage } from './message-create.js';
import { deleteMessage, editMessage } from './message-edit.js';
import { addReaction, removeReaction } from './reaction-ops.js';
import type { SimMember, PostAsMemberInput, ReactInput, SimMessage } from './types.js';
import { wireMember } from './wire-guild.js';

function requireMember(core: SimCore, userId: string): SimMember {
  const member = core.state.members.get(userId);
  if (!member) throw new TypeError(`Discord simulator: no member with id ${userId}`);
  return member;
}

/** A member posts (with files, or as a reply): stored and dispatched as MESSAGE_CREATE with `member`. */
export function postAsMember(core: SimCore, input: PostAsMemberInput): SimMessage {
  const member = requireMember(core, input.userId);
  const target = core.state.requireTarget(input.channelId);
  const files = (input.files ?? []).map((file, index) => ({
    field: `files[${index}]`,
    filename: file.name,
    contentType: file.contentType,
    data: file.data,
  }));
  const body: Record<string, unknown> = { content: input.content };
  if (input.replyTo !== undefined) body['message_reference'] = { message_id: input.replyTo, channel_id: target.id };
  return createMessage(core, { target, author: member.user, origin: 'member', body, files }).message;
}

export function editAsMember(core: SimCore, input: { channelId: string; messageId: string; content: string }): void {
  const target = core.state.requireTarget(input.channelId);
  editMessage(core, target, core.state.requireMessage(target.id, input.messageId), { content: input.content });
}

export function deleteAsMember(core: SimCore, input: { channelId: string; messageId: string }): void {
  const target = core.state.requireTarget(input.channelId);
  deleteMessage(core, target, core.state.requireMessage(target.id, input.messageId));
}

export function reactAsMember(core: SimCore, input: ReactInput): void {
  requireMember(core, input.userId);
  const target = core.state.requireTarget(input.channelId);
  const message = core.state.requireMessage(target.id, input.messageId);
  const emoji = { id: input.emoji.id ?? null, name: input.emoji.name };
  if (input.removed) removeReaction(core, target, message, input.userId, emoji);
  else addReaction(core, target, message, input.userId, emoji);
}

/** TYPING_START (timestamp in unix seconds, like Discord). */
export function typeAsMember(core: SimCore, input: { userId: string; channelId: string }): void {
  const member = requireMember(core, input.userId);
  const target = core.state.requireTarget(input.channelId);
  core.gateway.dispatch('TYPING_START', {
    channel_id: target.id,
    guild_id: core.state.guild.id,
    user_id: member.user.id,
    timestamp: Math.floor(Date.now() / 1000),
    member: wireMember(member),
  });
  core.emit('typing', { channelId: target.id, userId: member.user.id });
}
