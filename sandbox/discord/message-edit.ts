import { createAttachments, keptAttachments } from './attachments.js';
import type { SimCore } from './core.js';
import { archivedThread, DiscordApiError, emptyMessage, invalidFormBody } from './errors.js';
import type { UploadedFile } from './http-io.js';
import { MAX_CONTENT_LENGTH } from './message-create.js';
import { readAllowedMentions, resolveMentions } from './mentions.js';
import type { MessageTarget } from './state.js';
import type { SimMessage } from './types.js';

export const cannotEditOthers = (): DiscordApiError =>
  new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user');

/** Applies an edit (content, embeds, attachments to keep, new files) and dispatches MESSAGE_UPDATE. */
export function editMessage(
  core: SimCore,
  target: MessageTarget,
  message: SimMessage,
  body: Record<string, unknown>,
  files: UploadedFile[] = [],
): SimMessage {
  if (target.kind === 'thread' && target.thread.archived) throw archivedThread();
  const content = body['content'];
  if (content !== undefined && content !== null) {
    if (typeof content !== 'string') throw invalidFormBody(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
    if ([...content].length > MAX_CONTENT_LENGTH) {
      throw invalidFormBody(['content'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`);
    }
  }
  const nextContent = typeof content === 'string' ? content : content === null ? '' : message.content;
  const embeds = Array.isArray(body['embeds'])
    ? (body['embeds'] as unknown[])
    : body['embeds'] === null
      ? []
      : message.embeds;
  const attachments = [
    ...keptAttachments(message.attachments, body['attachments']),
    ...createAttachments(core, target.id, files, body['attachments']),
  ];
  if (nextContent.trim() === '' && embeds.length === 0 && attachments.length === 0 && message.components.length === 0) {
    throw emptyMessage();
  }
  const allowedRaw = body['allowed_mentions'] ?? message.allowed_mentions;
  Object.assign(message, {
    content: nextContent,
    embeds,
    attachments,
    edited_timestamp: core.timestamp(),
    ...(allowedRaw === undefined ? {} : { allowed_mentions: allowedRaw }),
    ...resolveMentions(core.state, nextContent, readAllowedMentions(allowedRaw), undefined),
  });
  core.gateway.dispatchMessage('MESSAGE_UPDATE', message);
  core.emit('update', message);
  return message;
}

/** Removes a message and dispatches MESSAGE_DELETE. */
export function deleteMessage(core: SimCore, target: MessageTarget, message: SimMessage): void {
  core.state.removeMessage(target.id, message.id);
  core.gateway.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: target.id, guild_id: core.state.guild.id });
  core.emit('delete', { channelId: target.id, messageId: message.id });
}
