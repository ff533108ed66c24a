import { z } from 'zod';
import type { Attachment, BridgeEvent, Ingress, MessageEvent } from '../../src/core/model.js';
import { tapbackToEmoji } from '../../src/core/reactions.js';
import { deliveryKey, effectKey, toMessageId } from './ids.js';
import { webhookEvents, type WebhookEventName } from './webhook.js';

const attachmentSchema = z.looseObject({
  filename: z.string().nullish(),
  mime_type: z.string().nullish(),
  size: z.number().nullish(),
  url: z.string().nullish(),
  transcription: z.string().nullish(),
});

const messageDataSchema = z.looseObject({
  id: z.string(),
  chat_id: z.string(),
  line_handle: z.string(),
  guid: z.string().nullish(),
  sender: z.string(),
  text: z.string().nullish(),
  attachments: z.array(attachmentSchema).default([]),
  is_from_me: z.boolean(),
  is_audio_message: z.boolean().nullish(),
  sent_at: z.number(),
  outbox_id: z.string().nullish(),
  reply_to_guid: z.string().nullish(),
});

const reactionDataSchema = z.looseObject({
  id: z.string(),
  message_id: z.string(),
  chat_id: z.string(),
  line_handle: z.string(),
  type: z.string(),
  sender: z.string(),
  is_from_me: z.boolean().default(false),
  added: z.boolean().default(true),
  sent_at: z.number(),
});

const envelopeSchema = z.looseObject({
  event: z.string(),
  data: z.record(z.string(), z.unknown()),
  timestamp: z.number(),
  delivery_id: z.string().optional(),
});

export type WebhookEnvelope = z.infer<typeof envelopeSchema>;

/** What a verified delivery turned out to be. */
export type ParsedDelivery =
  | { readonly kind: 'event'; readonly envelope: WebhookEnvelope; readonly ingress: Ingress }
  | { readonly kind: 'unknown-event'; readonly envelope: WebhookEnvelope };

/** A body that is not the documented envelope; the ingress answers 400. */
export class MalformedDeliveryError extends Error {
  override readonly name = 'MalformedDeliveryError';
}

/** Parses a verified body into the core's normalized event. */
export function parseDelivery(rawBody: Buffer): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new MalformedDeliveryError('body is not valid JSON');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new MalformedDeliveryError(`not a messages.dev delivery: ${describe(envelope.error)}`);
  const name = envelope.data.event;
  if (!isKnownEvent(name)) return { kind: 'unknown-event', envelope: envelope.data };
  const event = toEvent(name, envelope.data.data);
  const dataId = String(envelope.data.data['id']);
  return {
    kind: 'event',
    envelope: envelope.data,
    ingress: {
      dedupeKey: deliveryKey(envelope.data.delivery_id ?? `${name}:${dataId}:${envelope.data.timestamp}`),
      effectKey: effectKey(name, dataId),
      event,
    },
  };
}

function isKnownEvent(name: string): name is WebhookEventName {
  return (webhookEvents as readonly string[]).includes(name);
}

function toEvent(name: WebhookEventName, data: unknown): BridgeEvent {
  switch (name) {
    case 'message.received':
    case 'message.sent': {
      const parsed = messageDataSchema.safeParse(data);
      if (!parsed.success) throw new MalformedDeliveryError(`${name}: ${describe(parsed.error)}`);
      const message = parsed.data;
      return messageEvent({
        id: message.id,
        chatId: message.chat_id,
        lineHandle: message.line_handle,
        guid: message.guid ?? null,
        sender: message.sender,
        text: message.text ?? null,
        attachments: message.attachments.map((attachment) => ({
          filename: attachment.filename ?? null,
          mimeType: attachment.mime_type ?? null,
          size: attachment.size ?? null,
          url: attachment.url ?? null,
          transcription: attachment.transcription ?? null,
        })),
        isFromMe: message.is_from_me || name === 'message.sent',
        isAudioMessage: message.is_audio_message ?? false,
        sentAt: message.sent_at,
        outboxId: message.outbox_id ?? null,
        replyToGuid: message.reply_to_guid ?? null,
      });
    }
    case 'reaction.added':
    case 'reaction.removed': {
      const parsed = reactionDataSchema.safeParse(data);
      if (!parsed.success) throw new MalformedDeliveryError(`${name}: ${describe(parsed.error)}`);
      const reaction = parsed.data;
      return {
        kind: 'reaction',
        origin: {
          bridge: 'imessage',
          messageId: toMessageId(reaction.id),
          conversation: { line: reaction.line_handle, chat: reaction.chat_id },
        },
        author: { id: reaction.sender },
        sentAt: reaction.sent_at,
        target: toMessageId(reaction.message_id),
        emoji: tapbackToEmoji(reaction.type),
        removed: name === 'reaction.removed' || !reaction.added,
      };
    }
  }
}

/** A messages.dev message in the client's (camelCase) shape, from a webhook or from a list call. */
export interface MessageFields {
  readonly id: string;
  readonly chatId: string;
  readonly lineHandle: string;
  readonly guid: string | null;
  readonly sender: string;
  readonly text: string | null;
  readonly attachments: readonly {
    readonly filename: string | null;
    readonly mimeType: string | null;
    readonly size: number | null;
    readonly url: string | null;
    readonly transcription?: string | null;
  }[];
  readonly isFromMe: boolean;
  readonly isAudioMessage: boolean;
  readonly sentAt: number;
  readonly outboxId: string | null;
  readonly replyToGuid: string | null;
}

/** The core's message event for a messages.dev message. */
export function messageEvent(message: MessageFields): MessageEvent {
  return {
    kind: 'message',
    origin: {
      bridge: 'imessage',
      messageId: toMessageId(message.id),
      conversation: { line: message.lineHandle, chat: message.chatId },
    },
    author: { id: message.sender },
    sentAt: message.sentAt,
    text: cleanText(message.text),
    attachments: message.attachments.map((attachment) => toAttachment(attachment, message.isAudioMessage)),
    ...(message.replyToGuid ? { replyTo: toMessageId(message.replyToGuid) } : {}),
    ...(message.guid ? { guid: message.guid } : {}),
    ...(message.isFromMe ? { fromLine: true } : {}),
    ...(message.outboxId ? { outboxId: message.outboxId } : {}),
  };
}

/** U+FFFC marks where an inline attachment sat; it is not text. */
function cleanText(text: string | null | undefined): string {
  return (text ?? '').replace(/\uFFFC/g, '').trim();
}

function toAttachment(attachment: MessageFields['attachments'][number], audio: boolean): Attachment {
  const mimeType = attachment.mimeType ?? 'application/octet-stream';
  const voiceMemo = audio === true && mimeType.startsWith('audio/');
  return {
    name: attachment.filename ?? 'attachment',
    mimeType,
    ref: attachment.url ?? '',
    ...(attachment.size != null ? { size: attachment.size } : {}),
    ...(voiceMemo ? { voiceMemo: true } : {}),
    ...(attachment.transcription ? { transcript: attachment.transcription } : {}),
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
}
