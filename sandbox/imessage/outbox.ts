import type { SimCore } from './core.js';
import { createMessage } from './create-message.js';
import { newId } from './ids.js';
import type { OutboxKind, SimChat, SimLine, SimOutboxItem, SimReaction } from './types.js';
import { wireMessageEvent, wireReactionEvent } from './wire.js';

const MAX_ATTEMPTS = 3;

/** Creates an outbox item for a write and walks it pending → claimed → sent|failed over `outboxDelayMs`. */
export function enqueueOutbox(
  core: SimCore,
  kind: OutboxKind,
  line: SimLine,
  chat: SimChat,
  payload: Record<string, unknown>,
): SimOutboxItem {
  const item: SimOutboxItem = {
    id: newId('obx'),
    line_id: line.id,
    status: 'pending',
    payload,
    error: null,
    attempts: 0,
    max_attempts: MAX_ATTEMPTS,
    created_at: core.now(),
    completed_at: null,
    kind,
    chat_id: chat.id,
  };
  core.state.outbox.push(item);
  core.emitter.emit('outbox', item);
  const half = core.config.outboxDelayMs / 2;
  if (kind === 'message' || kind === 'audio_message') {
    core.schedule(half, () => {
      item.status = 'claimed';
      item.attempts = 1;
      core.emitter.emit('outbox', item);
      core.schedule(half, () => completeOutbox(core, item, line, chat));
    });
  } else {
    // Reactions, typing and receipts go straight to sent: there is nothing to claim on the phone side.
    core.schedule(core.config.outboxDelayMs, () => {
      item.attempts = 1;
      completeOutbox(core, item, line, chat);
    });
  }
  return item;
}

function completeOutbox(core: SimCore, item: SimOutboxItem, line: SimLine, chat: SimChat): void {
  const isMessage = item.kind === 'message' || item.kind === 'audio_message';
  if (isMessage && core.failSends.count > 0) {
    core.failSends.count -= 1;
    item.status = 'failed';
    item.error = core.failSends.reason;
    item.completed_at = core.now();
    core.emitter.emit('outbox', item);
    return;
  }
  applyEffect(core, item, line, chat);
  item.status = 'sent';
  item.completed_at = core.now();
  core.emitter.emit('outbox', item);
}

function applyEffect(core: SimCore, item: SimOutboxItem, line: SimLine, chat: SimChat): void {
  switch (item.kind) {
    case 'message':
    case 'audio_message':
      deliverOwnMessage(core, item, line, chat);
      return;
    case 'reaction':
      deliverOwnReaction(core, item, line, chat);
      return;
    case 'typing':
      upsertTyping(core, line, chat, item.payload['state'] !== 'off');
      return;
    case 'receipt':
      upsertReceipt(core, line, chat);
      return;
  }
}

function deliverOwnMessage(core: SimCore, item: SimOutboxItem, line: SimLine, chat: SimChat): void {
  const { payload } = item;
  const fileIds = item.kind === 'audio_message' ? [payload['audio_message']] : (payload['attachments'] ?? []);
  const files = (Array.isArray(fileIds) ? fileIds : [])
    .map((id) => (typeof id === 'string' ? core.state.fileById(id) : undefined))
    .filter((file) => file !== undefined);
  const replyTo = payload['reply_to'];
  const text = payload['text'];
  const message = createMessage(core, line, chat, {
    text: typeof text === 'string' ? text : undefined,
    attachments: files.map((file) => core.attachmentOf(file)),
    isAudioMessage: item.kind === 'audio_message',
    outboxId: item.id,
    replyToGuid: typeof replyTo === 'string' ? (core.state.findMessage(replyTo)?.guid ?? replyTo) : undefined,
  });
  core.webhooks.dispatchInBackground(line.id, 'message.sent', wireMessageEvent(message, line.handle));
}

function deliverOwnReaction(core: SimCore, item: SimOutboxItem, line: SimLine, chat: SimChat): void {
  const target = core.state.findMessage(String(item.payload['message_id']));
  if (!target) return;
  const now = core.now();
  const reaction: SimReaction = {
    id: newId('rxn'),
    message_id: target.id,
    chat_id: chat.id,
    type: String(item.payload['type']),
    sender: line.handle,
    is_from_me: true,
    added: true,
    sent_at: now,
    synced_at: now,
  };
  core.state.reactions.push(reaction);
  core.emitter.emit('reaction', reaction);
  // The line's own tapback syncs back like any other, so receivers see it (is_from_me: true) and must drop the echo.
  core.webhooks.dispatchInBackground(line.id, 'reaction.added', wireReactionEvent(reaction, line.handle));
}

function upsertTyping(core: SimCore, line: SimLine, chat: SimChat, isTyping: boolean): void {
  const existing = core.state.typing.find((entry) => entry.chat_id === chat.id && entry.handle === line.handle);
  if (existing) {
    existing.is_typing = isTyping;
    existing.updated_at = core.now();
    return;
  }
  core.state.typing.push({
    id: newId('ind'),
    chat_id: chat.id,
    handle: line.handle,
    is_typing: isTyping,
    updated_at: core.now(),
  });
}

function upsertReceipt(core: SimCore, line: SimLine, chat: SimChat): void {
  const now = core.now();
  const existing = core.state.receipts.find((entry) => entry.chat_id === chat.id && entry.handle === line.handle);
  if (existing) {
    existing.last_read_at = now;
    existing.synced_at = now;
    return;
  }
  core.state.receipts.push({
    id: newId('rcp'),
    chat_id: chat.id,
    handle: line.handle,
    last_read_at: now,
    synced_at: now,
  });
}
