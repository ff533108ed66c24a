import { Readable } from 'node:stream';
import { PlatformError, UnsupportedError } from '../../src/core/errors.js';
import { downloadFromUrl, parseHttpUrl } from './client-download.js';
import { ApiTransport } from './client-http.js';
import {
  chatSchema,
  deletedWebhookSchema,
  fileRecordSchema,
  lineSchema,
  messageSchema,
  outboxItemSchema,
  outboxReceiptSchema,
  pageSchema,
  reactionSchema,
  webhookSchema,
  type Chat,
  type DeletedWebhook,
  type DownloadedFile,
  type FileRecord,
  type Line,
  type Message,
  type OutboxItem,
  type OutboxReceipt,
  type Page,
  type Reaction,
  type ReactionType,
  type TypingState,
  type Webhook,
  type WebhookEventName,
} from './client-types.js';

export interface MessagesDevClientOptions {
  /** Base URL including the version path, e.g. https://api.messages.dev/v1. */
  apiUrl: string;
  apiKey: string;
  /** Per-call deadline (headers and body). Default 30000. */
  timeoutMs?: number;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra origins whose attachment URLs downloadFile({ url }) may fetch (without Authorization), e.g. storage hosts. */
  downloadOrigins?: string[];
  /** Clock for Retry-After HTTP-dates. Default Date.now. */
  now?: () => number;
}

export interface SendMessageInput {
  /** Line handle. */
  from: string;
  /** Handle or `cht_…` (groups only by `cht_`). */
  to: string;
  text?: string;
  /** At most one `file_…` id. */
  attachments?: string[];
  /** `msg_…` or GUID to thread under. */
  replyTo?: string;
}

export interface SendAudioMessageInput {
  from: string;
  to: string;
  /** `file_…` of an uploaded audio file (m4a/aac, mp3, wav, caf, aiff). */
  audioMessage: string;
  replyTo?: string;
}

export interface SendReactionInput {
  from: string;
  to: string;
  /** `msg_…` or GUID of the target. */
  messageId: string;
  type: ReactionType;
}

export interface UploadFileInput {
  /** The bytes; a stream is uploaded as it is read (not buffered). */
  data: Buffer | Uint8Array | NodeJS.ReadableStream;
  filename?: string;
  /** Default application/octet-stream. */
  mimeType?: string;
}

/**
 * A thin typed client of the messages.dev REST API (snake_case on the wire, camelCase here). It never retries:
 * every failure is a BridgeError whose `code`/`retryable` tell the send queue what to do.
 */
export interface MessagesDevClient {
  sendMessage(input: SendMessageInput): Promise<OutboxReceipt>;
  sendAudioMessage(input: SendAudioMessageInput): Promise<OutboxReceipt>;
  sendReaction(input: SendReactionInput): Promise<OutboxReceipt>;
  /** `state` defaults to 'on' on the server. */
  sendTyping(input: { from: string; to: string; state?: TypingState }): Promise<OutboxReceipt>;
  sendReadReceipt(input: { from: string; to: string }): Promise<OutboxReceipt>;
  uploadFile(input: UploadFileInput): Promise<FileRecord>;
  /** The storage URL a file id redirects to (the 302's Location). */
  getFileUrl(id: string): Promise<string>;
  /**
   * Streams a file by id (through its 302) or by an attachment URL of the API origin (or `downloadOrigins`).
   * Authorization goes only to the API itself, never to storage URLs. Rejects with 'too_large' when
   * Content-Length exceeds `maxBytes`; the stream errors with 'too_large' once more than `maxBytes` flowed.
   */
  downloadFile(input: {
    id?: string;
    url?: string;
    /**
     * The URL was handed out by the API itself (an attachment URL in a verified webhook or a list result):
     * any http(s) origin is then fetched, still without the key.
     */
    fromApi?: boolean;
    maxBytes: number;
  }): Promise<DownloadedFile>;
  getOutboxItem(id: string): Promise<OutboxItem>;
  listLines(): Promise<Line[]>;
  /** Every chat of the line, following cursors. */
  listChats(input: { from: string; limit?: number }): AsyncIterable<Chat>;
  listChatsPage(input: { from: string; limit?: number; cursor?: string | undefined }): Promise<Page<Chat>>;
  /** Every message of one chat, following cursors (the API's order; the simulator lists newest first). */
  listMessages(input: { from: string; to: string; limit?: number }): AsyncIterable<Message>;
  listMessagesPage(input: {
    from: string;
    to: string;
    limit?: number;
    cursor?: string | undefined;
  }): Promise<Page<Message>>;
  listReactions(messageId: string): Promise<Reaction[]>;
  /** The result carries the signing `secret`, which no other call returns. */
  createWebhook(input: { from: string; url: string; events: WebhookEventName[] }): Promise<Webhook>;
  listWebhooks(input: { from: string }): Promise<Webhook[]>;
  deleteWebhook(id: string): Promise<DeletedWebhook>;
}

export function createMessagesDevClient(options: MessagesDevClientOptions): MessagesDevClient {
  return new HttpMessagesDevClient(options);
}

/** Drops undefined fields so the wire body only carries what the caller set. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.hasMore && page.nextCursor !== null ? page.nextCursor : undefined;
  } while (cursor !== undefined);
}

class HttpMessagesDevClient implements MessagesDevClient {
  readonly #http: ApiTransport;
  readonly #downloadOrigins: Set<string>;

  constructor(options: MessagesDevClientOptions) {
    this.#http = new ApiTransport({
      apiUrl: options.apiUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
    });
    const extra = (options.downloadOrigins ?? []).map((origin) => new URL(origin).origin);
    this.#downloadOrigins = new Set([this.#http.base.origin, ...extra]);
  }

  sendMessage({ from, to, text, attachments, replyTo }: SendMessageInput): Promise<OutboxReceipt> {
    const json = compact({ from, to, text, attachments, reply_to: replyTo });
    return this.#http.json({ method: 'POST', path: 'messages', json }, outboxReceiptSchema);
  }

  sendAudioMessage({ from, to, audioMessage, replyTo }: SendAudioMessageInput): Promise<OutboxReceipt> {
    const json = compact({ from, to, audio_message: audioMessage, reply_to: replyTo });
    return this.#http.json({ method: 'POST', path: 'audio-messages', json }, outboxReceiptSchema);
  }

  sendReaction({ from, to, messageId, type }: SendReactionInput): Promise<OutboxReceipt> {
    const json = { from, to, message_id: messageId, type };
    return this.#http.json({ method: 'POST', path: 'reactions', json }, outboxReceiptSchema);
  }

  sendTyping({ from, to, state }: { from: string; to: string; state?: TypingState }): Promise<OutboxReceipt> {
    return this.#http.json({ method: 'POST', path: 'typing', json: compact({ from, to, state }) }, outboxReceiptSchema);
  }

  sendReadReceipt({ from, to }: { from: string; to: string }): Promise<OutboxReceipt> {
    return this.#http.json({ method: 'POST', path: 'receipts', json: { from, to } }, outboxReceiptSchema);
  }

  uploadFile({ data, filename, mimeType }: UploadFileInput): Promise<FileRecord> {
    const headers: Record<string, string> = { 'Content-Type': mimeType ?? 'application/octet-stream' };
    if (filename !== undefined) {
      // Header values must be ByteStrings; percent-encode names outside printable ASCII.
      headers['X-Filename'] = /^[\x20-\x7e]*$/.test(filename) ? filename : encodeURIComponent(filename);
    }
    if (data instanceof Uint8Array) {
      return this.#http.json({ method: 'POST', path: 'files', headers, body: data }, fileRecordSchema);
    }
    const readable = data instanceof Readable ? data : Readable.from(data);
    const body = Readable.toWeb(readable) as ReadableStream<Uint8Array>;
    return this.#http.json({ method: 'POST', path: 'files', headers, body, stream: true }, fileRecordSchema);
  }

  async getFileUrl(id: string): Promise<string> {
    const call = { method: 'GET', path: 'files', query: { id } } as const;
    const { response, url } = await this.#http.exchange(call, AbortSignal.timeout(this.#http.timeoutMs), 'manual');
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) {
      const message = `messages.dev GET /files answered ${response.status}, not a 302 with a Location`;
      throw new PlatformError('imessage', response.status, 'platform_error', message);
    }
    return new URL(location, url).href;
  }

  async downloadFile(input: {
    id?: string;
    url?: string;
    fromApi?: boolean;
    maxBytes: number;
  }): Promise<DownloadedFile> {
    let target: URL;
    if (input.id !== undefined) {
      // The API handed us this Location, whatever its origin (storage hosts differ from the API host).
      target = parseHttpUrl(await this.getFileUrl(input.id));
    } else if (input.url !== undefined) {
      target = parseHttpUrl(input.url);
      if (!input.fromApi && !this.#downloadOrigins.has(target.origin)) {
        throw new UnsupportedError(`Refusing to download from ${target.origin}: not the messages.dev API origin`);
      }
    } else {
      throw new UnsupportedError('downloadFile needs an id or a url');
    }
    return downloadFromUrl(this.#http, { target, maxBytes: input.maxBytes });
  }

  getOutboxItem(id: string): Promise<OutboxItem> {
    return this.#http.json({ method: 'GET', path: 'outbox', query: { id } }, outboxItemSchema);
  }

  async listLines(): Promise<Line[]> {
    return (await this.#http.json({ method: 'GET', path: 'lines' }, pageSchema(lineSchema))).data;
  }

  listChats(input: { from: string; limit?: number }): AsyncIterable<Chat> {
    return paginate((cursor) => this.listChatsPage({ ...input, cursor }));
  }

  listChatsPage(input: { from: string; limit?: number; cursor?: string | undefined }): Promise<Page<Chat>> {
    return this.#http.json({ method: 'GET', path: 'chats', query: { ...input } }, pageSchema(chatSchema));
  }

  listMessages(input: { from: string; to: string; limit?: number }): AsyncIterable<Message> {
    return paginate((cursor) => this.listMessagesPage({ ...input, cursor }));
  }

  listMessagesPage(input: {
    from: string;
    to: string;
    limit?: number;
    cursor?: string | undefined;
  }): Promise<Page<Message>> {
    return this.#http.json({ method: 'GET', path: 'messages', query: { ...input } }, pageSchema(messageSchema));
  }

  async listReactions(messageId: string): Promise<Reaction[]> {
    const call = { method: 'GET', path: 'reactions', query: { message_id: messageId } } as const;
    return (await this.#http.json(call, pageSchema(reactionSchema))).data;
  }

  createWebhook({ from, url, events }: { from: string; url: string; events: WebhookEventName[] }): Promise<Webhook> {
    return this.#http.json({ method: 'POST', path: 'webhooks', json: { from, url, events } }, webhookSchema);
  }

  async listWebhooks({ from }: { from: string }): Promise<Webhook[]> {
    return (await this.#http.json({ method: 'GET', path: 'webhooks', query: { from } }, pageSchema(webhookSchema)))
      .data;
  }

  deleteWebhook(id: string): Promise<DeletedWebhook> {
    return this.#http.json({ method: 'DELETE', path: 'webhooks', json: { id } }, deletedWebhookSchema);
  }
}
