import type { SimCore } from './core.js';
import { newGuid, newId } from './ids.js';
import type { SimAttachment, SimChat, SimLine, SimMessage } from './types.js';

/** What differs between the ways a message enters the account: a contact texts, the line's phone or the API sends. */
export interface NewMessage {
  /** The contact who sent it; omitted for the line's own messages (sender = line handle, is_from_me, 'outbound'). */
  from?: string;
  /** Missing or empty is stored as null, as messages.dev does for attachment-only messages. */
  text?: string;
  /** Default none. */
  attachments?: SimAttachment[];
  /** Default false. */
  isAudioMessage?: boolean;
  /** The outbox item an API send went through; default null (sent elsewhere). */
  outboxId?: string;
  /** Default null. */
  replyToGuid?: string;
}

/** Stores a new message in `chat`, stamped now, and emits 'message'; the caller sends the webhook. */
export function createMessage(core: SimCore, line: SimLine, chat: SimChat, input: NewMessage): SimMessage {
  const now = core.now();
  const fromLine = input.from === undefined;
  // Built field by field: the wire forms spread it, so this is the documented key order.
  const message: SimMessage = {
    id: newId('msg'),
    line_id: line.id,
    chat_id: chat.id,
    guid: newGuid(),
    sender: input.from ?? line.handle,
    text: input.text === undefined || input.text === '' ? null : input.text,
    attachments: input.attachments ?? [],
    service: chat.service,
    is_from_me: fromLine,
    is_audio_message: input.isAudioMessage ?? false,
    sent_at: now,
    synced_at: now,
    outbox_id: input.outboxId ?? null,
    reply_to_guid: input.replyToGuid ?? null,
    direction: fromLine ? 'outbound' : 'inbound',
  };
  core.state.addMessage(message);
  core.emitter.emit('message', message);
  return message;
}
