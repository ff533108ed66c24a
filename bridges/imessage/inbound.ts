import { z } from 'zod';
import type { Attachment, BridgeEvent, ConversationKey, Ingress, MessageEvent } from '../../src/core/model.js';
import { tapbackToEmoji } from '../../src/core/reactions.js';
import { messageSchema, reactionSchema, type Message, type MessageAttachment } from './client-types.js';
import { deliveryKey, effectKey, toMessageId } from './ids.js';
import { webhookEvents, type WebhookEventName } from './webhook.js';

/** What webhook events add to the client's Message and Reaction: where they happened, for routing. */
const placeSchema = z.object({ line_handle: z.string(), chat_id: z.string() });

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
      const message = parseData(name, messageSchema, data);
      // message.sent is the line's own message, whatever is_from_me says.
      return messageEvent(
        { ...message, isFromMe: message.isFromMe || name === 'message.sent' },
        placeOf(name, data).line,
      );
    }
    case 'reaction.added':
    case 'reaction.removed': {
      const reaction = parseData(name, reactionSchema, data);
      return {
        kind: 'reaction',
        origin: { bridge: 'imessage', messageId: toMessageId(reaction.id), conversation: placeOf(name, data) },
        author: { id: reaction.sender },
        sentAt: reaction.sentAt,
        target: toMessageId(reaction.messageId),
        emoji: tapbackToEmoji(reaction.type),
        removed: name === 'reaction.removed' || !reaction.added,
      };
    }
  }
}

function parseData<T>(name: WebhookEventName, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new MalformedDeliveryError(`${name}: ${describe(parsed.error)}`);
  return parsed.data;
}

function placeOf(name: WebhookEventName, data: unknown): ConversationKey {
  const place = parseData(name, placeSchema, data);
  return { line: place.line_handle, chat: place.chat_id };
}

/** The core's message event for a messages.dev message (from a webhook or a list call) on `line`. */
export function messageEvent(message: Message, line: string): MessageEvent {
  return {
    kind: 'message',
    origin: {
      bridge: 'imessage',
      messageId: toMessageId(message.id),
      conversation: { line, chat: message.chatId },
    },
    author: { id: message.sender },
    sentAt: message.sentAt,
    text: cleanText(message.text),
    attachments: message.attachments.map((attachment) => toAttachment(attachment, message.isAudioMessage)),
    ...(message.replyToGuid ? { replyTo: toMessageId(message.replyToGuid) } : {}),
    guid: message.guid,
    ...(message.isFromMe ? { fromLine: true } : {}),
    ...(message.outboxId ? { outboxId: message.outboxId } : {}),
  };
}

/** U+FFFC marks where an inline attachment sat; it is not text. */
function cleanText(text: string | null | undefined): string {
  return (text ?? '').replace(/\uFFFC/g, '').trim();
}

function toAttachment(attachment: MessageAttachment, audio: boolean): Attachment {
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
