/** How events reach the app: a Socket Mode WebSocket, or signed POSTs to a Request URL (HTTP Events API). */
export type EventDelivery = 'socket' | 'http';

/** Why Slack asks a Socket Mode client to reconnect (the SDK ignores the value). */
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface SimTeamInput {
  id: string;
  name: string;
}

export interface SimBotInput {
  /** The bot user (`U…`): `user` of its plain posts, `context.botUserId` in bolt. */
  userId: string;
  /** `B…`: `bot_id` of its posts, `context.botId` in bolt. */
  botId: string;
  /** `A…`: `api_app_id` of envelopes, `app_id` of its posts. */
  appId: string;
  name: string;
}

export interface SimChannelInput {
  id: string;
  name: string;
  /** Private channels answer `channel_not_found` to a bot that is not a member (Slack hides them). Default false. */
  isPrivate?: boolean;
  /** Default true. Public channels answer `not_in_channel` to a non-member bot. */
  botIsMember?: boolean;
}

export interface SimUserInput {
  id: string;
  name: string;
  realName?: string;
  displayName?: string;
  /** Avatar URL; default an SVG served by the simulator. */
  image72?: string;
}

export interface PostMessageLimit {
  /** Messages allowed per `perMs` (the refill rate). */
  count: number;
  perMs: number;
  /** Messages allowed back to back before the rate applies (Slack tolerates short bursts). Default 3. */
  burst?: number;
}

/**
 * Options of the Slack simulator.
 *
 * Outages: `sim.startOutage({ mode: '503' | 'hang' | '429', durationMs?, retryAfterSec?, except? })` refuses every
 * Web API method call without processing it (503 `{ok:false,error:'service_unavailable'}`, which @slack/web-api
 * throws as `slack_webapi_http_error`; a held request; or 429 `{ok:false,error:'ratelimited'}` with Retry-After).
 * `except` takes method names, e.g. `['apps.connections.open']` to let Socket Mode reconnect. Socket Mode and HTTP
 * event deliveries, the human helpers, upload URLs, response URLs and url_private downloads keep working.
 * See OutageSpec.
 */
export interface SlackSimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 'xoxb-test'. Web API calls with another token answer 200 `{ok:false,error:'invalid_auth'}`. */
  botToken?: string;
  /** Default 'xapp-test'. Only `apps.connections.open` takes it. */
  appToken?: string;
  /** Default 'signing-secret'. Signs HTTP-mode deliveries. */
  signingSecret?: string;
  /** Default `{ id: 'T0000TEST', name: 'Threadline Test' }`. */
  team?: SimTeamInput;
  /** Default UBOT / BBOT / A0TEST / threadline. */
  bot?: SimBotInput;
  /** Default one public channel C0123456789 'support' with the bot in it. */
  channels?: SimChannelInput[];
  /** Default U0ALICE alice and U0BOB bob. */
  users?: SimUserInput[];
  /** Bot scopes: sent in `x-oauth-scopes` on every bot-token response, and enforced per method (`missing_scope`). */
  scopes?: string[];
  /** Default true. False (or no `chat:write.customize` scope): posts with username/icon answer `missing_scope`. */
  customizeAllowed?: boolean;
  rateLimits?: {
    /** Per channel chat.postMessage limit. Default `{count:1, perMs:1000, burst:3}`; false for none. */
    postMessagePerChannel?: PostMessageLimit | false;
  };
  /** Default 'socket'. */
  eventDelivery?: EventDelivery;
  /** Request URL for HTTP mode (also settable later with `setHttpEventsUrl`). */
  httpEventsUrl?: string;
  /**
   * Socket Mode: an envelope not acked within this is re-sent (retry_attempt + 1, up to `socketMaxResends` times).
   * HTTP mode: the per-request timeout before a retry. Default 3000.
   */
  ackTimeoutMs?: number;
  /**
   * Socket Mode: how many times an envelope that was not acked in time is re-sent (to any live connection, also
   * one opened after the first dropped). Default 3, as Slack: a re-send that finds no connection is spent, and an
   * event produced with no connection is missed. Above 3 (Infinity allowed) the simulator redelivers until acked,
   * for crash tests: such envelopes, and events produced while no connection is live, wait and go out on the next
   * connection's `hello`.
   */
  socketMaxResends?: number;
  /**
   * HTTP mode: delay before each retry (Slack: at once, 1 min, 5 min); the last value repeats when there are more
   * retries than values. Default [0, 100, 500].
   */
  httpRetryDelaysMs?: number[];
  /** HTTP mode: retries after a failed first attempt (non-2xx, unreachable or timed out). Default 3; Infinity allowed. */
  httpMaxRetries?: number;
  /**
   * When the event a Web API call causes (the bot's echo) is sent, relative to the HTTP answer. Slack makes no
   * promise; 'before-response' reproduces the race where the echo arrives before chat.postMessage resolves.
   * Default 'after-response'.
   */
  echoTiming?: 'after-response' | 'before-response';
  /** Clock (ms) for timestamps, rate limits and signatures. Default Date.now. */
  now?: () => number;
}

/** One Web API call as the simulator answered it. */
export interface RecordedCall {
  /** e.g. 'chat.postMessage'. */
  method: string;
  /** Query, form or JSON fields; JSON-in-form fields (blocks, metadata, files, …) parsed; multipart files as Buffers. */
  params: Record<string, unknown>;
  /** The token used (Authorization header, else the `token` field), if any. */
  token: string | undefined;
  /** 200, 429 when rate limited, the status of an injected fault or outage (503), or 0 for a held ('hang') call. */
  status: number;
  /** Simulator clock when answered. */
  at: number;
  /** The JSON body answered. */
  response: Record<string, unknown>;
}

/** A Socket Mode ack: `{envelope_id, payload}` from the client (also emitted as the simulator's 'ack' event). */
export interface RecordedAck {
  envelopeId: string;
  /** The event_id of the acked Events API envelope; undefined for slash commands and unknown envelopes. */
  eventId: string | undefined;
  payload: unknown;
  at: number;
}

/** One attempt to deliver an event or a slash command to the app. */
export interface RecordedDelivery {
  transport: EventDelivery;
  kind: 'events_api' | 'slash_commands';
  /** Events only (slash commands have none). */
  eventId: string | undefined;
  /** Socket Mode only. */
  envelopeId: string | undefined;
  /** 0 for the first attempt; Socket Mode `retry_attempt` / HTTP `X-Slack-Retry-Num`. */
  retryAttempt: number;
  retryReason: string;
  /** Socket Mode: 'sent'; HTTP: the receiver's status, or 'error' (unreachable or timed out). */
  status: number | 'sent' | 'error';
  /** What was sent: the envelope payload (events) or the flat command fields. */
  payload: Record<string, unknown>;
  /** HTTP mode: the exact body and headers sent. */
  body?: string;
  headers?: Record<string, string>;
  /** HTTP mode: the receiver's response body. */
  responseBody?: string;
  error?: string;
  at: number;
}

export type MissedReason = 'no_connection' | 'no_http_url' | 'not_acked' | 'retries_exhausted';

/** An event that never reached the app (Socket Mode does not buffer; HTTP retries ran out). */
export interface MissedEvent {
  eventId: string;
  reason: MissedReason;
  payload: Record<string, unknown>;
  at: number;
}

export interface RecordedConnection {
  /** Sequence number, 1-based. */
  id: number;
  openedAt: number;
  closedAt: number | undefined;
  /** Set when the simulator asked the client to go (disconnect frame) or cut it (dropConnections). */
  endedBy: DisconnectReason | 'dropped' | undefined;
}

/** A download of url_private / url_private_download. */
export interface RecordedDownload {
  fileId: string;
  /** True when the bot token came in the Authorization header. */
  authorized: boolean;
  /** 200 with the bytes, or 302 to the HTML login page. */
  status: number;
  at: number;
}

export interface SimChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  botIsMember: boolean;
  /** Unix seconds. */
  created: number;
}

export interface SimUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  image72: string | undefined;
}

export interface SimReaction {
  name: string;
  users: string[];
  count: number;
}

export interface SimMessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** The wire file object (as in events and files.info), plus its bytes. */
export interface SimFile {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  editable: boolean;
  size: number;
  mode: 'hosted';
  is_external: boolean;
  external_type: string;
  is_public: boolean;
  public_url_shared: boolean;
  display_as_bot: boolean;
  username: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  has_rich_preview: boolean;
  file_access: string;
  /** Where it was shared, as files.info reports it. */
  shares?: {
    public?: Record<string, Array<Record<string, unknown>>>;
    private?: Record<string, Array<Record<string, unknown>>>;
  };
  channels?: string[];
  groups?: string[];
  /** Not on the wire: the bytes. */
  data: Buffer;
}

/**
 * A stored message in Slack's wire shape (what conversations.history/replies return; events add `channel`,
 * `event_ts` and `channel_type`). Only the fields Slack sets for that kind of message are present.
 */
export interface SimMessage {
  type: 'message';
  ts: string;
  text: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  username?: string;
  icons?: Record<string, string>;
  bot_profile?: Record<string, unknown>;
  team?: string;
  client_msg_id?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: SimMessageMetadata;
  files?: Array<Omit<SimFile, 'data'>>;
  upload?: boolean;
  display_as_bot?: boolean;
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users_count?: number;
  latest_reply?: string;
  reply_users?: string[];
  is_locked?: boolean;
  subscribed?: boolean;
  reactions?: SimReaction[];
  edited?: { user: string; ts: string };
  /** thread_broadcast: the parent. */
  root?: Record<string, unknown>;
  hidden?: boolean;
}

/** An ephemeral message: only `user` sees it; no event is sent. */
export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  threadTs: string | undefined;
  /** What chat.postEphemeral answered as `message_ts`. */
  messageTs: string;
  blocks: unknown[] | undefined;
  /** chat.postEphemeral, a slash command's ack body, or a POST to its `response_url`. */
  source: 'chat.postEphemeral' | 'command_ack' | 'response_url';
  at: number;
}

/** Read-only views for assertions and the demo. */
export interface SimStateView {
  readonly channels: ReadonlyMap<string, SimChannel>;
  readonly users: ReadonlyMap<string, SimUser>;
  /** Top-level messages of a channel (thread broadcasts included), oldest first. */
  messages(channel: string): SimMessage[];
  /** The replies of a thread (without the parent), oldest first. */
  replies(channel: string, threadTs: string): SimMessage[];
  /** Any stored message (top level or reply). */
  message(channel: string, ts: string): SimMessage | undefined;
  readonly files: ReadonlyMap<string, SimFile>;
  readonly ephemerals: readonly SimEphemeral[];
}

export interface PostAsUserInput {
  user: string;
  channel: string;
  /** Wire text, as Slack would carry it (already escaped: `&amp;`, `&lt;`, `<@U…>`); see `escapeSlackText`. */
  text: string;
  threadTs?: string;
  /** Also send the reply to the channel (`thread_broadcast`). */
  broadcast?: boolean;
  files?: Array<{ name: string; mimeType: string; data: Buffer; title?: string }>;
}

export interface EditAsUserInput {
  user: string;
  channel: string;
  ts: string;
  text: string;
}

export interface DeleteAsUserInput {
  channel: string;
  ts: string;
}

export interface ReactInput {
  user: string;
  channel: string;
  ts: string;
  /** Without colons; `thumbsup`/`thumbsdown` are stored as Slack's canonical `+1`/`-1`. */
  name: string;
  removed?: boolean;
}

export interface SlashCommandInput {
  user: string;
  channel: string;
  /** With the slash, e.g. '/text'. */
  command: string;
  text: string;
}

/** What delivering an event did. */
export interface DeliveryOutcome {
  eventId: string;
  /** Socket Mode: the envelope id; undefined in HTTP mode or when missed. */
  envelopeId: string | undefined;
  /**
   * False when nothing was connected / no URL: the event is in `missed`, or (Socket Mode with `socketMaxResends`
   * above 3) waits for the next connection, with `envelopeId` set.
   */
  delivered: boolean;
}

/** A scripted failure for the next matching Web API call(s). */
export interface SlackFault {
  method: string;
  /** How many calls it affects. Default 1. */
  count?: number;
  /** Answer 200 `{ok:false, error}`. */
  error?: string;
  /** Answer 429 with this Retry-After (seconds). */
  retryAfterSec?: number;
  /** Answer this HTTP status with `{ok:false, error:'fatal_error'}` (e.g. 500, 503). */
  status?: number;
  /**
   * Alone: the call succeeds and takes effect at once (its message shows, people can answer it), but the
   * answer reaches the app this many ms later, as over a slow network.
   */
  slowAnswerMs?: number;
}

/** Payloads of the events the simulator emits (for the demo page). */
export interface SlackSimEvents {
  message: { channel: string; message: SimMessage };
  update: { channel: string; message: SimMessage; previous: SimMessage };
  delete: { channel: string; ts: string; previous: SimMessage };
  reaction: { channel: string; ts: string; name: string; user: string; removed: boolean };
  ephemeral: SimEphemeral;
  file: Omit<SimFile, 'data'>;
  call: RecordedCall;
  connection: RecordedConnection;
  /** Emitted as soon as the app acks a Socket Mode envelope (before anything else happens). */
  ack: RecordedAck;
}
