import { createAttachments } from './attachments.js';
import type { SimCore } from './core.js';
import {
  archivedThread,
  emptyMessage,
  invalidFormBody,
  missingAccess,
  missingPermissions,
  nonTextChannel,
} from './errors.js';
import type { UploadedFile } from './http-io.js';
import { readAllowedMentions, resolveMentions } from './mentions.js';
import { NONCE_WINDOW_MS, type MessageTarget } from './state.js';
import { unarchiveForActivity } from './thread-ops.js';
import type { MessageOrigin, SimMessage, SimUser, SimWebhook } from './types.js';

export const MAX_CONTENT_LENGTH = 2000;
const MAX_NONCE_LENGTH = 25;
/** The message flags a sender may set: SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS. */
const SETTABLE_FLAGS = (1 << 2) | (1 << 12);

export interface CreateMessageInput {
  target: MessageTarget;
  author: SimUser;
  origin: MessageOrigin;
  /** The JSON body (or payload_json): content, nonce, enforce_nonce, allowed_mentions, message_reference, … */
  body: Record<string, unknown>;
  files: UploadedFile[];
  webhook?: SimWebhook;
  /** The avatar_url of a webhook execution. */
  avatarUrl?: string;
  /** A fixed id (a forum post's starter message has the thread's id). */
  id?: string;
  /** A fixed type (system messages). */
  type?: number;
}

export interface ValidatedBody {
  content: string;
  embeds: unknown[];
  components: unknown[];
  nonce: string | number | undefined;
}

/** Checks content length, embeds, nonce and emptiness like Discord's form validation. */
export function validateMessageBody(body: Record<string, unknown>, fileCount: number): ValidatedBody {
  const rawContent = body['content'];
  if (rawContent !== undefined && rawContent !== null && typeof rawContent !== 'string') {
    throw invalidFormBody(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
  }
  const content = rawContent ?? '';
  if ([...content].length > MAX_CONTENT_LENGTH) {
    throw invalidFormBody(['content'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`);
  }
  const embeds = Array.isArray(body['embeds']) ? (body['embeds'] as unknown[]) : [];
  if (embeds.length > 10) throw invalidFormBody(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  const components = Array.isArray(body['components']) ? (body['components'] as unknown[]) : [];
  const nonce = body['nonce'];
  if (nonce !== undefined && nonce !== null) {
    const valid = (typeof nonce === 'string' && nonce.length <= MAX_NONCE_LENGTH) || Number.isInteger(nonce);
    if (!valid)
      throw invalidFormBody(['nonce'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_NONCE_LENGTH} or fewer in length.`);
  }
  const stickers = Array.isArray(body['sticker_ids']) && body['sticker_ids'].length > 0;
  if (
    content.trim() === '' &&
    embeds.length === 0 &&
    fileCount === 0 &&
    components.length === 0 &&
    !stickers &&
    !body['poll']
  ) {
    throw emptyMessage();
  }
  return {
    content,
    embeds,
    components,
    nonce: typeof nonce === 'string' || typeof nonce === 'number' ? nonce : undefined,
  };
}

/** What a bot needs to post: access, Send Messages (in Threads), Attach Files, Read Message History for replies. */
function checkBotMayPost(core: SimCore, input: CreateMessageInput): void {
  const permissions = core.state.permissionsIn(input.target);
  if (!permissions.viewChannel) throw missingAccess();
  const mayPost = input.target.kind === 'thread' ? permissions.sendMessagesInThreads : permissions.sendMessages;
  if (!mayPost) throw missingPermissions();
  if (input.files.length > 0 && !permissions.attachFiles) throw missingPermissions();
  if (input.body['message_reference'] !== undefined && !permissions.readMessageHistory) throw missingPermissions();
}

function resolveReference(core: SimCore, input: CreateMessageInput): SimMessage | undefined {
  const reference = input.body['message_reference'];
  if (input.webhook || typeof reference !== 'object' || reference === null) return undefined;
  const fields = reference as Record<string, unknown>;
  const channelId = typeof fields['channel_id'] === 'string' ? fields['channel_id'] : input.target.id;
  const found = core.state.findMessage(channelId, String(fields['message_id']));
  if (!found && fields['fail_if_not_exists'] !== false) {
    throw invalidFormBody(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
  }
  return found;
}

/** A repeat of an `enforce_nonce` create within the window returns the first message instead of a new one. */
function findByNonce(core: SimCore, authorId: string, nonce: string | number | undefined): SimMessage | undefined {
  if (nonce === undefined) return undefined;
  const seen = core.state.nonces.get(`${authorId}:${nonce}`);
  if (!seen || Date.now() - seen.at > NONCE_WINDOW_MS) return undefined;
  return core.state.findMessage(seen.channelId, seen.messageId);
}

/**
 * Validates, stores and dispatches one message (MESSAGE_CREATE to every session, 'message' to the demo).
 * `created` is false when enforce_nonce returned an earlier message.
 */
export function createMessage(core: SimCore, input: CreateMessageInput): { message: SimMessage; created: boolean } {
  const { state } = core;
  if (input.origin === 'bot') checkBotMayPost(core, input);
  if (input.target.kind === 'channel' && input.target.channel.type !== 0) throw nonTextChannel();
  const valid = validateMessageBody(input.body, input.files.length);
  const allowed = readAllowedMentions(input.body['allowed_mentions']);
  const referenced = resolveReference(core, input);
  if (input.body['enforce_nonce'] === true) {
    const earlier = findByNonce(core, input.author.id, valid.nonce);
    if (earlier) return { message: earlier, created: false };
  }
  if (input.target.kind === 'thread' && input.target.thread.archived) {
    if (input.target.thread.locked) throw archivedThread();
    unarchiveForActivity(core, input.target.thread);
  }
  const message: SimMessage = {
    id: input.id ?? core.ids.next(),
    channel_id: input.target.id,
    guild_id: state.guild.id,
    type: input.type ?? (referenced ? 19 : 0),
    content: valid.content,
    author: input.author,
    origin: input.origin,
    ...(input.webhook ? { webhook_id: input.webhook.id } : {}),
    ...(input.avatarUrl === undefined ? {} : { avatar_url: input.avatarUrl }),
    timestamp: core.timestamp(),
    edited_timestamp: null,
    attachments: createAttachments(core, input.target.id, input.files, input.body['attachments']),
    embeds: valid.embeds,
    components: valid.components,
    reactions: [],
    ...(valid.nonce === undefined ? {} : { nonce: valid.nonce }),
    ...(input.body['allowed_mentions'] === undefined ? {} : { allowed_mentions: input.body['allowed_mentions'] }),
    ...resolveMentions(state, valid.content, allowed, referenced?.author.id),
    ...(referenced
      ? {
          message_reference: {
            type: 0,
            message_id: referenced.id,
            channel_id: referenced.channel_id,
            guild_id: state.guild.id,
          },
        }
      : {}),
    flags: typeof input.body['flags'] === 'number' ? input.body['flags'] & SETTABLE_FLAGS : 0,
    tts: input.body['tts'] === true,
    pinned: false,
  };
  storeMessage(core, input.target, message);
  return { message, created: true };
}

/** Appends a message, updates the channel/thread counters, and announces it. */
export function storeMessage(core: SimCore, target: MessageTarget, message: SimMessage): void {
  core.state.messageList(target.id).push(message);
  if (target.kind === 'thread') {
    target.thread.last_message_id = message.id;
    target.thread.message_count += 1;
    target.thread.total_message_sent += 1;
  } else {
    target.channel.last_message_id = message.id;
  }
  if (message.nonce !== undefined) {
    core.state.nonces.set(`${message.author.id}:${message.nonce}`, {
      channelId: target.id,
      messageId: message.id,
      at: Date.now(),
    });
  }
  core.gateway.dispatchMessage('MESSAGE_CREATE', message);
  core.emit('message', message);
}
