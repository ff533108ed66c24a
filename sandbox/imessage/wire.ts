import type {
  SimChat,
  SimFile,
  SimLine,
  SimMessage,
  SimOutboxItem,
  SimReaction,
  SimReadReceipt,
  SimTypingIndicator,
  SimWebhook,
} from './types.js';

/** The §3 resources exactly as messages.dev puts them on the wire (snake_case, internal fields dropped). */

export function wireLine(line: SimLine): Record<string, unknown> {
  return { id: line.id, handle: line.handle, label: line.label, service: line.service, is_active: line.is_active };
}

export function wireChat(chat: SimChat): Record<string, unknown> {
  return { ...chat };
}

export function wireMessage(message: SimMessage): Record<string, unknown> {
  const { direction: _direction, ...rest } = message;
  return { ...rest, attachments: message.attachments.map((attachment) => ({ ...attachment })) };
}

/** A message event's `data`: the Message plus the line's handle, in the documented key order. */
export function wireMessageEvent(message: SimMessage, lineHandle: string): Record<string, unknown> {
  const { id, line_id, ...rest } = wireMessage(message);
  return { id, line_id, line_handle: lineHandle, ...rest };
}

export function wireReaction(reaction: SimReaction): Record<string, unknown> {
  const { chat_id: _chatId, ...rest } = reaction;
  return rest;
}

/** A reaction event's `data`: the Reaction plus `chat_id` and the line's handle. */
export function wireReactionEvent(reaction: SimReaction, lineHandle: string): Record<string, unknown> {
  const { id, message_id, chat_id, ...rest } = reaction;
  return { id, message_id, chat_id, ...rest, line_handle: lineHandle };
}

export function wireFile(file: SimFile): Record<string, unknown> {
  return { id: file.id, url: file.url, filename: file.filename, mime_type: file.mime_type, size: file.size };
}

export function wireOutboxItem(item: SimOutboxItem): Record<string, unknown> {
  const { kind: _kind, chat_id: _chatId, ...rest } = item;
  return { ...rest, payload: { ...item.payload } };
}

/** A webhook as listed (the secret is only ever shown at creation). */
export function wireWebhook(webhook: SimWebhook): Record<string, unknown> {
  return {
    id: webhook.id,
    line_ids: [...webhook.line_ids],
    url: webhook.url,
    events: [...webhook.events],
    is_active: webhook.is_active,
  };
}

export function wireTyping(indicator: SimTypingIndicator): Record<string, unknown> {
  return { ...indicator };
}

export function wireReceipt(receipt: SimReadReceipt): Record<string, unknown> {
  return { ...receipt };
}
