import type { Readable } from 'node:stream';
import { z } from 'zod';

/** messages.dev resources as Threadline sees them: camelCase, with absent optional fields normalized to null. */

export type OutboxStatus = 'pending' | 'claimed' | 'sent' | 'failed';
/** The six tapbacks the API can send. Inbound reactions may carry other strings. */
export type ReactionType = 'love' | 'like' | 'dislike' | 'laugh' | 'emphasize' | 'question';
/** The webhook events that can be subscribed to today. */
export type WebhookEventName = 'message.received' | 'message.sent' | 'reaction.added' | 'reaction.removed';
export type TypingState = 'on' | 'off';

export interface MessageAttachment {
  filename: string | null;
  mimeType: string | null;
  /** Bytes. */
  size: number | null;
  /** Storage URL of the bytes (lifetime undocumented: download promptly). */
  url: string | null;
  /** Apple's voice-memo transcript; may be null at first and fill in later. */
  transcription: string | null;
}

export interface Message {
  /** `msg_…` */
  id: string;
  /** `ln_…`; null when an event omitted it. */
  lineId: string | null;
  /** `cht_…` */
  chatId: string;
  /** Apple GUID; accepted wherever a message id is (`replyTo`, reactions). */
  guid: string;
  /** Author handle; the line's own handle when `isFromMe`. */
  sender: string;
  /** Null for attachment-only messages. */
  text: string | null;
  attachments: MessageAttachment[];
  /** e.g. 'iMessage' or 'SMS'; casing not pinned, compare case-insensitively. */
  service: string | null;
  isFromMe: boolean;
  /** True only for tap-to-record voice memos. */
  isAudioMessage: boolean;
  /** Unix ms. */
  sentAt: number;
  /** Unix ms when messages.dev ingested it. */
  syncedAt: number | null;
  /** The `obx_…` that produced it when sent through the API; null for phone-typed or inbound messages. */
  outboxId: string | null;
  /** GUID of the parent when this is a threaded reply. */
  replyToGuid: string | null;
}

export interface Chat {
  /** `cht_…` */
  id: string;
  lineId: string;
  /** Peer handle for 1:1 chats; an opaque identifier for groups. */
  identifier: string;
  service: string | null;
  /** Group display name. */
  name: string | null;
  isGroup: boolean;
  participants: string[];
  /** Whether the contact-first rule allows sending into it; null when the API did not say. */
  hasReceivedInbound: boolean | null;
  lastMessageAt: number | null;
}

export interface Line {
  /** `ln_…` */
  id: string;
  /** E.164 phone number or Apple ID: what `from` takes. */
  handle: string;
  label: string | null;
  /** 'imessage' | 'sms' | 'auto' today. */
  service: string;
  isActive: boolean;
}

export interface Reaction {
  /** `rxn_…` */
  id: string;
  /** `msg_…` of the target. */
  messageId: string;
  /** One of the six tapbacks, or another string from newer iOS versions. */
  type: string;
  sender: string;
  isFromMe: boolean;
  /** False for a removal record. */
  added: boolean;
  sentAt: number;
  syncedAt: number | null;
}

/** What every asynchronous write returns: the outbox item it created. */
export interface OutboxReceipt {
  /** `obx_…` */
  id: string;
  status: OutboxStatus;
  requestId: string | null;
}

export interface OutboxItem {
  id: string;
  lineId: string | null;
  status: OutboxStatus;
  /** The original request body (snake_case, as sent). */
  payload: Record<string, unknown>;
  /** Free-text failure reason when `failed`. */
  error: string | null;
  attempts: number | null;
  maxAttempts: number | null;
  createdAt: number | null;
  /** Unix ms when it reached sent or failed. */
  completedAt: number | null;
  requestId: string | null;
}

export interface FileRecord {
  /** `file_…`: what `attachments` and `audioMessage` take. */
  id: string;
  url: string | null;
  filename: string | null;
  mimeType: string;
  size: number;
  requestId: string | null;
}

export interface Webhook {
  /** `wh_…` */
  id: string;
  lineIds: string[];
  url: string;
  events: string[];
  isActive: boolean;
  /** The signing secret; only present in the createWebhook result. */
  secret: string | null;
  requestId: string | null;
}

export interface DeletedWebhook {
  id: string;
  deleted: boolean;
  requestId: string | null;
}

/** One page of a list endpoint. */
export interface Page<T> {
  data: T[];
  hasMore: boolean;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
  requestId: string | null;
}

export interface DownloadedFile {
  /** The bytes; errors with a BridgeError code 'too_large' once more than `maxBytes` flowed. */
  stream: Readable;
  /** Content-Type without parameters. */
  mimeType: string;
  /** Content-Length, when the server sent one. */
  size?: number;
  /** From Content-Disposition, when the server sent one. */
  filename?: string;
}

const nullableString = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const nullableNumber = z
  .number()
  .nullish()
  .transform((value) => value ?? null);
const requestId = nullableString;

export const messageAttachmentSchema = z
  .object({
    filename: nullableString,
    mime_type: nullableString,
    size: nullableNumber,
    url: nullableString,
    transcription: nullableString,
  })
  .transform((wire): MessageAttachment => ({
    filename: wire.filename,
    mimeType: wire.mime_type,
    size: wire.size,
    url: wire.url,
    transcription: wire.transcription,
  }));

/** A wire Message (or the Message part of a message.* webhook event) → Message. */
export const messageSchema = z
  .object({
    id: z.string(),
    line_id: nullableString,
    chat_id: z.string(),
    guid: z.string(),
    sender: z.string(),
    text: nullableString,
    attachments: z.array(messageAttachmentSchema).nullish(),
    service: nullableString,
    is_from_me: z.boolean(),
    is_audio_message: z.boolean().nullish(),
    sent_at: z.number(),
    synced_at: nullableNumber,
    outbox_id: nullableString,
    reply_to_guid: nullableString,
  })
  .transform((wire): Message => ({
    id: wire.id,
    lineId: wire.line_id,
    chatId: wire.chat_id,
    guid: wire.guid,
    sender: wire.sender,
    text: wire.text,
    attachments: wire.attachments ?? [],
    service: wire.service,
    isFromMe: wire.is_from_me,
    isAudioMessage: wire.is_audio_message ?? false,
    sentAt: wire.sent_at,
    syncedAt: wire.synced_at,
    outboxId: wire.outbox_id,
    replyToGuid: wire.reply_to_guid,
  }));

export const chatSchema = z
  .object({
    id: z.string(),
    line_id: z.string(),
    identifier: z.string(),
    service: nullableString,
    name: nullableString,
    is_group: z.boolean().nullish(),
    participants: z.array(z.string()).nullish(),
    has_received_inbound: z.boolean().nullish(),
    last_message_at: nullableNumber,
  })
  .transform((wire): Chat => ({
    id: wire.id,
    lineId: wire.line_id,
    identifier: wire.identifier,
    service: wire.service,
    name: wire.name,
    isGroup: wire.is_group ?? false,
    participants: wire.participants ?? [],
    hasReceivedInbound: wire.has_received_inbound ?? null,
    lastMessageAt: wire.last_message_at,
  }));

export const lineSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    label: nullableString,
    service: z.string(),
    is_active: z.boolean(),
  })
  .transform((wire): Line => ({
    id: wire.id,
    handle: wire.handle,
    label: wire.label,
    service: wire.service,
    isActive: wire.is_active,
  }));

/** A wire Reaction (or the Reaction part of a reaction.* webhook event) → Reaction. */
export const reactionSchema = z
  .object({
    id: z.string(),
    message_id: z.string(),
    type: z.string(),
    sender: z.string(),
    is_from_me: z.boolean(),
    added: z.boolean(),
    sent_at: z.number(),
    synced_at: nullableNumber,
  })
  .transform((wire): Reaction => ({
    id: wire.id,
    messageId: wire.message_id,
    type: wire.type,
    sender: wire.sender,
    isFromMe: wire.is_from_me,
    added: wire.added,
    sentAt: wire.sent_at,
    syncedAt: wire.synced_at,
  }));

const outboxStatusSchema = z.enum(['pending', 'claimed', 'sent', 'failed']);

export const outboxReceiptSchema = z
  .object({ id: z.string(), status: outboxStatusSchema, request_id: requestId })
  .transform((wire): OutboxReceipt => ({ id: wire.id, status: wire.status, requestId: wire.request_id }));

export const outboxItemSchema = z
  .object({
    id: z.string(),
    line_id: nullableString,
    status: outboxStatusSchema,
    payload: z.record(z.string(), z.unknown()).nullish(),
    error: nullableString,
    attempts: nullableNumber,
    max_attempts: nullableNumber,
    created_at: nullableNumber,
    completed_at: nullableNumber,
    request_id: requestId,
  })
  .transform((wire): OutboxItem => ({
    id: wire.id,
    lineId: wire.line_id,
    status: wire.status,
    payload: wire.payload ?? {},
    error: wire.error,
    attempts: wire.attempts,
    maxAttempts: wire.max_attempts,
    createdAt: wire.created_at,
    completedAt: wire.completed_at,
    requestId: wire.request_id,
  }));

export const fileRecordSchema = z
  .object({
    id: z.string(),
    url: nullableString,
    filename: nullableString,
    mime_type: z.string(),
    size: z.number(),
    request_id: requestId,
  })
  .transform((wire): FileRecord => ({
    id: wire.id,
    url: wire.url,
    filename: wire.filename,
    mimeType: wire.mime_type,
    size: wire.size,
    requestId: wire.request_id,
  }));

export const webhookSchema = z
  .object({
    id: z.string(),
    line_ids: z.array(z.string()).nullish(),
    // Before 2026-05-01 the API returned a single line_id.
    line_id: nullableString,
    url: z.string(),
    events: z.array(z.string()),
    is_active: z.boolean().nullish(),
    secret: nullableString,
    request_id: requestId,
  })
  .transform((wire): Webhook => ({
    id: wire.id,
    lineIds: wire.line_ids ?? (wire.line_id === null ? [] : [wire.line_id]),
    url: wire.url,
    events: wire.events,
    isActive: wire.is_active ?? true,
    secret: wire.secret,
    requestId: wire.request_id,
  }));

export const deletedWebhookSchema = z
  .object({ id: z.string(), deleted: z.boolean(), request_id: requestId })
  .transform((wire): DeletedWebhook => ({ id: wire.id, deleted: wire.deleted, requestId: wire.request_id }));

/** The list envelope `{data, has_more, next_cursor, request_id}` around items parsed by `item`. */
export function pageSchema<T>(item: z.ZodType<T>): z.ZodType<Page<T>> {
  return z
    .object({
      data: z.array(item),
      has_more: z.boolean().nullish(),
      next_cursor: nullableString,
      request_id: requestId,
    })
    .transform((wire): Page<T> => ({
      data: wire.data,
      hasMore: wire.has_more ?? false,
      nextCursor: wire.next_cursor,
      requestId: wire.request_id,
    }));
}
