import type { IncomingHttpHeaders } from 'node:http';

/** How a line sends: messages.dev lines are iMessage, SMS or automatic. */
export type LineService = 'imessage' | 'sms' | 'auto';

/** The four webhook events messages.dev delivers today (§4.1). */
export type WebhookEvent = 'message.received' | 'message.sent' | 'reaction.added' | 'reaction.removed';

export type OutboxStatus = 'pending' | 'claimed' | 'sent' | 'failed';

/** Which write endpoint produced an outbox item (not on the wire; the simulator needs it to apply the effect). */
export type OutboxKind = 'message' | 'audio_message' | 'reaction' | 'typing' | 'receipt';

export interface LineInput {
  /** E.164 phone number or Apple ID the line sends from. */
  handle: string;
  /** Default 'imessage'. SMS lines reject audio messages with `advanced_features_required`. */
  service?: LineService;
  label?: string;
  /** Fixed `ln_` id, for deterministic fixtures; random otherwise. */
  id?: string;
  /** False to make even an iMessage line reject audio messages (no helper on its Mac). Default true. */
  advancedFeatures?: boolean;
}

/** A per-line send limit: at most `count` sends from one line in any `perMs` (a sliding window). */
export interface SendsPerLineLimit {
  /** Sends allowed per window (a positive integer). */
  count: number;
  /** Window length in ms (the simulator's clock). */
  perMs: number;
}

/**
 * Options of the messages.dev simulator.
 *
 * Outages: `sim.startOutage({ mode: '503' | 'hang' | '429', durationMs?, retryAfterSec?, except? })` refuses every
 * request under `basePath` without processing it (503 `api_error`/`service_unavailable`; a held request; or 429
 * `rate_limit_exceeded` with Retry-After in `retryAfterFormat`); `except` takes paths ('/lines') or 'METHOD /path'.
 * Blob downloads and webhook deliveries (`simulateInbound`, outbox events) keep working. See OutageSpec.
 */
export interface SimulatorOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** Port to listen on. Default 0 (ephemeral). */
  port?: number;
  /** Path prefix of every API endpoint. Default '/v1'. */
  basePath?: string;
  /** Accepted bearer keys. Default ['sk_live_test']. */
  apiKeys?: string[];
  /** The lines of the account. Default one iMessage line '+15551234567'. */
  lines?: LineInput[];
  /** Requests per key per fixed hour window. Default 1000. Over it: 429 `rate_limit_exceeded` with Retry-After. */
  hourlyBudget?: number;
  /**
   * Sends per line: POST /messages, /audio-messages and /reactions count against the line named by `from`, in a
   * sliding window; over it the answer is 429 `rate_limit_exceeded` with Retry-After (whole seconds ≥ 1, or a date
   * per `retryAfterFormat`). Only accepted sends (2xx) are counted. Default false (not enforced).
   */
  sendsPerLine?: SendsPerLineLimit | false;
  /**
   * How Retry-After is written on 429s (budget, sends per line, '429' outages): whole seconds (at least 1) or an
   * HTTP date. Default 'seconds'.
   */
  retryAfterFormat?: 'seconds' | 'http-date';
  /** Time an outbox item takes from pending to sent (half of it to claimed). Default 50. */
  outboxDelayMs?: number;
  /** When set, every webhook created gets this secret, so tests can sign deterministically. */
  webhookSecret?: string;
  /**
   * Extra attempts after a failed webhook delivery (non-2xx or unreachable), with the same delivery_id and a fresh
   * timestamp and signature each time. Default 0. `simulateInbound` resolves after the last attempt, so with many
   * retries do not await it (use `waitForDelivery`); close() cancels pending retries.
   */
  webhookRetries?: number;
  /**
   * Delay in ms before each retry: the first value before the first retry, and so on; the last value repeats
   * (`[200]` with `webhookRetries: 1000` retries every 200 ms up to 1000 times). Default: 100, 200, 400, … ms
   * (doubling).
   */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt timeout of a webhook POST. Default 5000. */
  webhookTimeoutMs?: number;
  /** False to serve blobs chunked without Content-Length (like some storage CDNs). Default true. */
  blobContentLength?: boolean;
  /** Clock for timestamps and the budget window. Default Date.now. */
  now?: () => number;
}

/** One API request as the simulator saw it (blob downloads are recorded separately in `blobRequests`). */
export interface RecordedRequest {
  method: string;
  /** Path without the base path, e.g. '/messages'. Blob records keep their full path ('/blobs/…'). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, the raw Buffer for file uploads, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** HTTP status answered; 0 when the request was held (a fault or a 'hang' outage) or its connection was dropped. */
  status: number;
  requestId: string;
  /** Simulator clock when the response was decided. */
  at: number;
}

/** One webhook POST attempt made by the simulator. */
export interface RecordedDelivery {
  deliveryId: string;
  event: WebhookEvent;
  webhookId: string;
  url: string;
  /** The exact bytes sent (what the signature covers). */
  body: string;
  headers: Record<string, string>;
  /** Receiver's HTTP status, or 'error' when it could not be reached. */
  status: number | 'error';
  /** Why the delivery failed to reach the receiver, when status is 'error'. */
  error?: string;
  /** 1 for the first attempt; retries and replays count up. */
  attempt: number;
  at: number;
}

export interface SimLine {
  id: string;
  handle: string;
  label: string | null;
  service: LineService;
  is_active: boolean;
  /** Not on the wire: whether audio messages are possible on this line. */
  advanced_features: boolean;
}

export interface SimChat {
  id: string;
  line_id: string;
  identifier: string;
  service: string;
  name: string | null;
  is_group: boolean;
  participants: string[];
  has_received_inbound: boolean;
  last_message_at: number | null;
}

export interface SimAttachment {
  filename: string | null;
  mime_type: string | null;
  size: number | null;
  url: string | null;
  transcription: string | null;
}

export interface SimMessage {
  id: string;
  line_id: string;
  chat_id: string;
  guid: string;
  sender: string;
  text: string | null;
  attachments: SimAttachment[];
  service: string;
  is_from_me: boolean;
  is_audio_message: boolean;
  sent_at: number;
  synced_at: number;
  outbox_id: string | null;
  reply_to_guid: string | null;
  /** Not on the wire: 'inbound' from a contact, 'outbound' from the line (API or phone). */
  direction: 'inbound' | 'outbound';
}

export interface SimReaction {
  id: string;
  message_id: string;
  /** Carried in webhook events; not part of the listed Reaction resource. */
  chat_id: string;
  type: string;
  sender: string;
  is_from_me: boolean;
  added: boolean;
  sent_at: number;
  synced_at: number;
}

export interface SimFile {
  id: string;
  url: string;
  filename: string | null;
  mime_type: string;
  size: number;
  data: Buffer;
  transcription: string | null;
  created_at: number;
}

export interface SimOutboxItem {
  id: string;
  line_id: string;
  status: OutboxStatus;
  payload: Record<string, unknown>;
  error: string | null;
  attempts: number;
  max_attempts: number;
  created_at: number;
  completed_at: number | null;
  /** Not on the wire: the endpoint that created it. */
  kind: OutboxKind;
  /** Not on the wire: the chat it targets. */
  chat_id: string;
}

export interface SimWebhook {
  id: string;
  line_ids: string[];
  url: string;
  events: WebhookEvent[];
  is_active: boolean;
  secret: string;
  created_at: number;
}

export interface SimTypingIndicator {
  id: string;
  chat_id: string;
  handle: string;
  is_typing: boolean;
  updated_at: number;
}

export interface SimReadReceipt {
  id: string;
  chat_id: string;
  handle: string;
  last_read_at: number;
  synced_at: number;
}

/** Read-only views of everything the simulator holds, for assertions and the demo. */
export interface SimStateView {
  readonly lines: readonly SimLine[];
  readonly chats: readonly SimChat[];
  /** Messages per chat id, oldest first. */
  readonly messages: ReadonlyMap<string, readonly SimMessage[]>;
  readonly files: readonly SimFile[];
  readonly outbox: readonly SimOutboxItem[];
  readonly webhooks: readonly SimWebhook[];
  readonly reactions: readonly SimReaction[];
  readonly typing: readonly SimTypingIndicator[];
  readonly receipts: readonly SimReadReceipt[];
}

export interface FaultSpec {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Path without the base path, e.g. '/messages'. */
  path: string;
  /** How many matching requests it affects. Default 1. */
  count?: number;
  /** Answer with this status and an error envelope (default 500 when nothing else is asked). */
  status?: number;
  /** Error code in the envelope; defaults by status. */
  code?: string;
  /** Error type in the envelope; defaults by status. */
  type?: string;
  /** Raw Retry-After header value to send with the error. */
  retryAfter?: string;
  /** Never answer (the socket stays open until the client gives up or the simulator closes). */
  hang?: boolean;
  /** Wait this long, then answer (with the error if `status` is set, else normally). */
  delayMs?: number;
  /** Apply the request normally, then destroy the connection instead of answering. */
  reset?: boolean;
}

export interface InboundAttachmentInput {
  filename: string;
  mimeType: string;
  data: Buffer;
  /** Voice-memo transcript. */
  transcription?: string;
}

export interface SimulateInboundInput {
  /** Line handle; default the first line. */
  line?: string;
  /** Sender handle. */
  from: string;
  /** Existing `cht_` id (e.g. a group) to post into. */
  chat?: string;
  text?: string;
  attachments?: InboundAttachmentInput[];
  isAudioMessage?: boolean;
  /** Create or reuse the group chat with these participants (the sender is added when missing). */
  groupParticipants?: string[];
  groupName?: string;
  /** `msg_` id or GUID this message replies to. */
  replyTo?: string;
}

export interface SimulateReactionInput {
  line?: string;
  from: string;
  /** `msg_` id or GUID of the target message. */
  messageId: string;
  type: string;
  /** False for a removal (`reaction.removed`). Default true. */
  added?: boolean;
}

export interface SimulateSentFromPhoneInput {
  line?: string;
  /** Handle or `cht_` id. */
  to: string;
  text?: string;
}

export interface RequestMatch {
  method?: string;
  path?: string;
  predicate?: (request: RecordedRequest) => boolean;
  /** Only consider records at or after this index of `requests` (e.g. `sim.requests.length` taken earlier). */
  since?: number;
}

export interface DeliveryMatch {
  event?: string;
  predicate?: (delivery: RecordedDelivery) => boolean;
  /** Only consider records at or after this index of `deliveries`. */
  since?: number;
}
