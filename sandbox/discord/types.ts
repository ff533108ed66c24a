export type { WaitOptions } from '../shared/wait-options.js';

/** What the bot may do in a channel (and in its threads). Every flag defaults to true. */
export interface BotPermissionsInput {
  manageWebhooks?: boolean;
  createPublicThreads?: boolean;
  sendMessages?: boolean;
  sendMessagesInThreads?: boolean;
  viewChannel?: boolean;
  addReactions?: boolean;
  attachFiles?: boolean;
  readMessageHistory?: boolean;
}

export type BotPermissions = Required<BotPermissionsInput>;

/** 0 = text channel, 15 = forum channel. */
export type ChannelType = 0 | 15;

/** 11 = public thread (also a forum post), 12 = private thread. */
export type ThreadType = 11 | 12;

export interface ChannelInput {
  id: string;
  name: string;
  type: ChannelType;
  botPermissions?: BotPermissionsInput;
}

export interface MemberInput {
  id: string;
  username: string;
  globalName?: string;
  roles?: string[];
}

export interface RateLimitOptions {
  /** Message creations per channel (each thread is its own channel). Default 5 per 5000 ms; false = unlimited. */
  messagesPerChannel?: { count: number; perMs: number } | false;
  /** Bot-token requests per second across all routes. Default 50; false = unlimited. */
  globalPerSecond?: number | false;
  /** Webhook executions per minute per parent channel. Default 30; false = unlimited. */
  webhookPerChannelPerMinute?: number | false;
}

/**
 * Options of the Discord simulator.
 *
 * Outages: `sim.startOutage({ mode: '503' | 'hang' | '429', durationMs?, retryAfterSec?, except? })` refuses every
 * REST call under /api/v10 without processing it (503 `{message:'Service Unavailable',code:0}`, which discord.js
 * retries `rest.retries` times and then throws as HTTPError; a held request; or Discord's 429 with Retry-After,
 * X-RateLimit-Remaining 0, -Reset-After and scope 'user'). `except` takes route templates or paths after /api/v10,
 * e.g. `['/gateway/bot']` to let the client reconnect. The gateway keeps dispatching, and the member helpers and
 * attachment downloads keep working. See OutageSpec.
 */
export interface DiscordSimulatorOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** Port to listen on. Default 0 (ephemeral). */
  port?: number;
  /** The bot token. Default 'discord-test-token'. REST with another token → 401, IDENTIFY with another → close 4004. */
  token?: string;
  /** The bot user (snowflake id). Default id '111111111111111111', username 'threadline'. */
  bot?: { id: string; username: string };
  /** The one guild the bot is in. Default id '333333333333333333', name 'Threadline Test'. */
  guild?: { id: string; name: string };
  /** Default: text channel '112233445566778899' 'support' and forum '112233445566778800' 'customers', all permissions. */
  channels?: ChannelInput[];
  /** Human members. Default alice ('444444444444444441') and bob ('444444444444444442'). */
  members?: MemberInput[];
  /** Extra roles (no permissions of their own); @everyone (id = guild id) and the bot's role always exist. */
  roles?: Array<{ id: string; name: string }>;
  /** Default true. False: IDENTIFY with the MessageContent bit is closed with 4014, REST hides message content. */
  messageContentIntentEnabled?: boolean;
  /** Default true. False: IDENTIFY with GuildMembers (1 << 1) is closed with 4014. */
  guildMembersIntentEnabled?: boolean;
  /** Default true. False: IDENTIFY with GuildPresences (1 << 8) is closed with 4014. */
  guildPresencesIntentEnabled?: boolean;
  /** HELLO's heartbeat_interval. Default 41250. */
  heartbeatIntervalMs?: number;
  rateLimits?: RateLimitOptions;
  /** Largest accepted file part. Default 25 MiB; larger → 413 code 40005. */
  uploadLimitBytes?: number;
}

/** A user as Discord sends it (the fields discord.js reads). */
export interface SimUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface SimMember {
  user: SimUser;
  roles: string[];
  joined_at: string;
}

export interface SimRole {
  id: string;
  name: string;
  /** Decimal permission bits, as on the wire. */
  permissions: string;
  position: number;
  managed: boolean;
  /** Set on the bot's own managed role. */
  botId?: string;
}

export interface SimChannel {
  id: string;
  name: string;
  type: ChannelType;
  position: number;
  botPermissions: BotPermissions;
  last_message_id: string | null;
}

export interface SimThread {
  id: string;
  type: ThreadType;
  guild_id: string;
  parent_id: string;
  owner_id: string;
  name: string;
  archived: boolean;
  locked: boolean;
  auto_archive_duration: 60 | 1440 | 4320 | 10080;
  archive_timestamp: string;
  create_timestamp: string;
  message_count: number;
  total_message_sent: number;
  applied_tags: string[];
  last_message_id: string | null;
}

export interface SimAttachment {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  description?: string;
  /** Served by the simulator without auth, like Discord's CDN. */
  url: string;
  proxy_url: string;
  /** Not on the wire: the bytes. */
  data: Buffer;
}

export interface SimEmoji {
  /** Null for unicode emoji. */
  id: string | null;
  /** The unicode character(s), or the custom emoji's name. */
  name: string;
  animated?: boolean;
}

export interface SimReaction {
  emoji: SimEmoji;
  /** User ids in the order they reacted. */
  users: string[];
}

/** Who made a message. Not on the wire. */
export type MessageOrigin = 'member' | 'bot' | 'webhook' | 'system';

export interface SimMessage {
  id: string;
  channel_id: string;
  guild_id: string;
  /** 0 default, 19 reply, 18 thread created (system), 21 thread starter. */
  type: number;
  content: string;
  author: SimUser;
  origin: MessageOrigin;
  /** Set on messages executed through a webhook. */
  webhook_id?: string;
  /** Not on the wire: the avatar_url a webhook execution asked for. */
  avatar_url?: string;
  timestamp: string;
  edited_timestamp: string | null;
  attachments: SimAttachment[];
  embeds: unknown[];
  components: unknown[];
  reactions: SimReaction[];
  nonce?: string | number;
  /** Not on the wire: allowed_mentions exactly as received (undefined when none was sent). */
  allowed_mentions?: unknown;
  /** User ids this message actually pings (after allowed_mentions). */
  mentions: string[];
  /** Role ids this message actually pings. */
  mention_roles: string[];
  mention_everyone: boolean;
  /** A reply's target; a thread-created system message (type 18) points at the thread and has no message_id. */
  message_reference?: { type: 0; message_id?: string; channel_id: string; guild_id: string };
  flags: number;
  tts: boolean;
  pinned: boolean;
}

export interface SimWebhook {
  id: string;
  token: string;
  type: 1;
  channel_id: string;
  guild_id: string;
  name: string;
  avatar: string | null;
  application_id: string;
  /** User id of the creator. */
  creator_id: string;
}

/** One REST request as the simulator answered it. */
export interface RecordedCall {
  method: string;
  /** Path after /api/v10, with ids, e.g. '/channels/1122…/messages'. */
  route: string;
  /** The route template, e.g. '/channels/:channel/messages' ('' when no route matched). */
  template: string;
  /** The full request path, e.g. '/api/v10/channels/1122…/messages'. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, `{ payload_json, files: [{name, size, contentType}] }` for multipart, or undefined when empty. */
  body: unknown;
  /** The Authorization header as sent (undefined for webhook executions). */
  auth: string | undefined;
  /** The status answered; 0 for a call held by a 'hang' outage. */
  status: number;
  /** The JSON answered (undefined for 204). */
  response: unknown;
  /** Headers the simulator set on the answer (Retry-After, X-RateLimit-*), besides Content-Type/Length. */
  responseHeaders: Record<string, string>;
  at: number;
}

export interface GatewayFrame {
  direction: 'in' | 'out';
  op: number;
  t?: string;
  s?: number;
  /** Which gateway socket (1, 2, … in connection order). */
  connection: number;
  at: number;
}

export interface CallMatch {
  method?: string;
  /** Equal to `route` or `template` when a string; tested against `route` when a RegExp. */
  route?: RegExp | string;
  predicate?: (call: RecordedCall) => boolean;
}

export interface UploadFileInput {
  name: string;
  contentType: string;
  data: Buffer;
}

export interface PostAsMemberInput {
  userId: string;
  /** Channel or thread id. */
  channelId: string;
  content: string;
  files?: UploadFileInput[];
  /** Id of a message in the same channel to reply to. */
  replyTo?: string;
}

export interface ReactInput {
  userId: string;
  channelId: string;
  messageId: string;
  emoji: { name: string; id?: string | null };
  /** True for MESSAGE_REACTION_REMOVE. */
  removed?: boolean;
}

/** Read-only views of the simulated guild, for assertions and the demo. */
export interface DiscordStateView {
  readonly guild: { readonly id: string; readonly name: string };
  readonly bot: SimUser;
  readonly members: ReadonlyMap<string, SimMember>;
  readonly roles: ReadonlyMap<string, SimRole>;
  readonly channels: ReadonlyMap<string, SimChannel>;
  readonly threads: ReadonlyMap<string, SimThread>;
  /** Messages of a channel or thread, oldest first (deleted ones removed). */
  messages(channelId: string): readonly SimMessage[];
  readonly webhooks: ReadonlyMap<string, SimWebhook>;
}

/** Payloads of the simulator's EventEmitter events (for the demo). */
export interface DiscordSimulatorEvents {
  message: [SimMessage];
  update: [SimMessage];
  delete: [{ channelId: string; messageId: string }];
  reaction: [{ channelId: string; messageId: string; userId: string; emoji: SimEmoji; removed: boolean }];
  thread: [SimThread];
  typing: [{ channelId: string; userId: string }];
}
