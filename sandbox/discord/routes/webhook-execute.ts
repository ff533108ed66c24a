import { DiscordApiError, invalidFormBody, unknownChannel, unknownMessage, unknownWebhook } from '../errors.js';
import { createMessage, validateMessageBody } from '../message-create.js';
import type { MessageTarget } from '../state.js';
import { createThread, readThreadName } from '../thread-ops.js';
import type { SimMessage, SimUser, SimWebhook } from '../types.js';
import { restMessage } from './messages.js';
import { noContent, ok, param, type RouteContext, type RouteResult } from './route.js';

/** Webhook names (and execution usernames) are 1–80 characters and may not contain "discord" or "clyde". */
export function readWebhookName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || [...value].length > 80) {
    throw invalidFormBody([field], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 80 in length.');
  }
  for (const word of ['discord', 'clyde']) {
    if (value.toLowerCase().includes(word)) {
      throw invalidFormBody([field], 'USERNAME_INVALID_CONTAINS', `Username cannot contain "${word}"`);
    }
  }
  return value;
}

/** The webhook's channel, or the thread named by `?thread_id=` (which must belong to that channel). */
function webhookTarget(context: RouteContext, webhook: SimWebhook): MessageTarget {
  const { state } = context.core;
  const channel = state.channels.get(webhook.channel_id);
  if (!channel) throw unknownWebhook();
  const threadId = context.query['thread_id'];
  if (threadId === undefined) return { kind: 'channel', id: channel.id, channel, parent: channel };
  const thread = state.threads.get(threadId);
  if (!thread || thread.parent_id !== channel.id) throw unknownChannel();
  return { kind: 'thread', id: thread.id, thread, parent: channel };
}

/** Creates the forum post a webhook execution with `thread_name` asks for. */
function forumPostTarget(context: RouteContext, webhook: SimWebhook, parent: MessageTarget): MessageTarget {
  const name = context.body['thread_name'];
  if (name === undefined) {
    throw new DiscordApiError(400, 220001, 'Webhooks posted to forum channels must have a thread_name or thread_id');
  }
  validateMessageBody(context.body, context.files.length);
  const thread = createThread(context.core, {
    parent: parent.parent,
    type: 11,
    owner: { id: webhook.id },
    name: readThreadName(name, ['thread_name']),
    autoArchive: 4320,
    appliedTags: Array.isArray(context.body['applied_tags']) ? context.body['applied_tags'].map(String) : [],
  });
  return { kind: 'thread', id: thread.id, thread, parent: parent.parent };
}

/**
 * POST /webhooks/:id/:token — no bot token. `username` and `avatar_url` replace the author shown; the message
 * carries `webhook_id`. `?wait=true` answers the message, otherwise 204.
 */
export function executeWebhook(context: RouteContext, webhook: SimWebhook): RouteResult {
  let target = webhookTarget(context, webhook);
  const isForum = target.kind === 'channel' && target.channel.type === 15;
  if (isForum) {
    target = forumPostTarget(context, webhook, target);
  } else if (context.body['thread_name'] !== undefined) {
    throw new DiscordApiError(400, 220003, 'Webhooks can only create threads in forum channels');
  }
  const username = context.body['username'];
  const author: SimUser = {
    id: webhook.id,
    username: username === undefined || username === null ? webhook.name : readWebhookName(username, 'username'),
    global_name: null,
    discriminator: '0000',
    avatar: webhook.avatar,
    bot: true,
  };
  // Webhooks have no nonce and cannot reply; Discord ignores those fields.
  const { nonce: _nonce, enforce_nonce: _enforce, message_reference: _reference, ...body } = context.body;
  const avatarUrl = context.body['avatar_url'];
  const { message } = createMessage(context.core, {
    target,
    author,
    origin: 'webhook',
    webhook,
    ...(typeof avatarUrl === 'string' ? { avatarUrl } : {}),
    ...(isForum ? { id: target.id } : {}),
    body,
    files: context.files,
  });
  return context.query['wait'] === 'true' ? ok(restMessage(context, message)) : noContent();
}

/** A message this webhook sent, in its channel or in `?thread_id=`. */
export function webhookMessage(
  context: RouteContext,
  webhook: SimWebhook,
): { target: MessageTarget; message: SimMessage } {
  const target = webhookTarget(context, webhook);
  const message = context.core.state.findMessage(target.id, param(context, 'message'));
  if (!message || message.webhook_id !== webhook.id) throw unknownMessage();
  return { target, message };
}
