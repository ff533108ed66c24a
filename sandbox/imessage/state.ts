import { invalidParameter, notFound } from './errors.js';
import { newId } from './ids.js';
import type {
  LineInput,
  SimChat,
  SimFile,
  SimLine,
  SimMessage,
  SimOutboxItem,
  SimReaction,
  SimReadReceipt,
  SimStateView,
  SimTypingIndicator,
  SimWebhook,
} from './types.js';

/** Everything the simulated account holds, with the lookups the endpoints share. */
export class SimState implements SimStateView {
  readonly lines: SimLine[];
  readonly chats: SimChat[] = [];
  readonly messages = new Map<string, SimMessage[]>();
  readonly files: SimFile[] = [];
  readonly outbox: SimOutboxItem[] = [];
  readonly webhooks: SimWebhook[] = [];
  readonly reactions: SimReaction[] = [];
  readonly typing: SimTypingIndicator[] = [];
  readonly receipts: SimReadReceipt[] = [];
  readonly #messagesById = new Map<string, SimMessage>();
  readonly #messagesByGuid = new Map<string, SimMessage>();

  constructor(lines: LineInput[]) {
    this.lines = lines.map((line) => ({
      id: line.id ?? newId('ln'),
      handle: line.handle,
      label: line.label ?? null,
      service: line.service ?? 'imessage',
      is_active: true,
      advanced_features: line.advancedFeatures ?? true,
    }));
  }

  /** The line named by a `from` handle; 404 line_not_found otherwise. */
  lineByHandle(handle: string): SimLine {
    const line = this.lines.find((candidate) => candidate.handle === handle);
    if (!line) throw notFound('line_not_found', `No line with handle ${handle}`, 'from');
    return line;
  }

  chatById(id: string): SimChat | undefined {
    return this.chats.find((chat) => chat.id === id);
  }

  /** The chat a `to` names on a line: a `cht_` id or the peer handle of a 1:1 chat. */
  findChat(line: SimLine, to: string): SimChat | undefined {
    if (to.startsWith('cht_')) return this.chats.find((chat) => chat.id === to && chat.line_id === line.id);
    return this.chats.find((chat) => chat.line_id === line.id && !chat.is_group && chat.identifier === to);
  }

  /** Like findChat but 404 chat_not_found when there is none. */
  requireChat(line: SimLine, to: string): SimChat {
    const chat = this.findChat(line, to);
    if (!chat) throw notFound('chat_not_found', `No chat ${to} on line ${line.handle}`, 'to');
    return chat;
  }

  /** The 1:1 chat with a handle, created (with no inbound yet) when new. */
  ensureDirectChat(line: SimLine, handle: string): SimChat {
    const existing = this.findChat(line, handle);
    if (existing) return existing;
    return this.#addChat(line, { identifier: handle, name: null, is_group: false, participants: [handle] });
  }

  /** The group chat with exactly these participants, created when new. */
  ensureGroupChat(line: SimLine, participants: string[], name: string | null): SimChat {
    const key = [...participants].sort().join('\n');
    const existing = this.chats.find(
      (chat) => chat.line_id === line.id && chat.is_group && [...chat.participants].sort().join('\n') === key,
    );
    if (existing) return existing;
    const identifier = `chat${Math.floor(Math.random() * 1e15)}`;
    return this.#addChat(line, { identifier, name, is_group: true, participants: [...participants] });
  }

  #addChat(line: SimLine, fields: Pick<SimChat, 'identifier' | 'name' | 'is_group' | 'participants'>): SimChat {
    const chat: SimChat = {
      id: newId('cht'),
      line_id: line.id,
      service: line.service === 'sms' ? 'SMS' : 'iMessage',
      has_received_inbound: false,
      last_message_at: null,
      ...fields,
    };
    this.chats.push(chat);
    this.messages.set(chat.id, []);
    return chat;
  }

  addMessage(message: SimMessage): void {
    const list = this.messages.get(message.chat_id) ?? [];
    list.push(message);
    this.messages.set(message.chat_id, list);
    this.#messagesById.set(message.id, message);
    this.#messagesByGuid.set(message.guid, message);
    const chat = this.chatById(message.chat_id);
    if (chat) {
      chat.last_message_at = message.sent_at;
      if (!message.is_from_me) chat.has_received_inbound = true;
    }
  }

  /** A message by `msg_` id or raw GUID. */
  findMessage(idOrGuid: string): SimMessage | undefined {
    return this.#messagesById.get(idOrGuid) ?? this.#messagesByGuid.get(idOrGuid);
  }

  requireMessage(idOrGuid: string, param: string): SimMessage {
    const message = this.findMessage(idOrGuid);
    if (!message) throw notFound('message_not_found', `No message ${idOrGuid}`, param);
    return message;
  }

  fileById(id: string): SimFile | undefined {
    return this.files.find((file) => file.id === id);
  }

  /** A file referenced by a send; 400 when the id is malformed or unknown. */
  requireFile(id: unknown, param: string): SimFile {
    if (typeof id !== 'string' || !id.startsWith('file_'))
      throw invalidParameter(param, `${param} must be a file_… id`);
    const file = this.fileById(id);
    if (!file) throw invalidParameter(param, `No file ${id}`);
    return file;
  }

  outboxById(id: string): SimOutboxItem | undefined {
    return this.outbox.find((item) => item.id === id);
  }
}
