import type { IngestFn } from './ingress.js';
import type { Attachment, Author, ConversationKey, MessageEvent, StartEvent, TeamBridgeId } from './model.js';

/** Connection health, as `/readyz` reports it. */
export type BridgeState = 'connecting' | 'connected' | 'transient-disconnect' | 'bad-credentials' | 'stopped';

/** What a team platform can do, as data; optional methods cover the rest (having the method is the capability). */
export interface Capabilities {
  /** The markup the platform renders; the router hands it plain text and the bridge escapes for it. */
  readonly markup: 'mrkdwn' | 'discord-markdown' | 'plain';
  /** Longest text one post may carry; longer text is split by the bridge. */
  readonly maxTextLength: number;
  /** Largest upload the platform takes; larger attachments become a note. */
  readonly maxAttachmentBytes: number;
}

/** Where a conversation lives on a team platform. */
export interface ThreadRef {
  /** The route's channel (Slack channel id, Discord parent channel id). */
  readonly channel: string;
  /** Slack root message `ts`, or Discord thread channel id. */
  readonly thread: string;
}

/** A message's address on a team platform. */
export interface PostRef {
  /** The channel the message is in (for Discord, the thread channel). */
  readonly channel: string;
  /** Slack `ts`, Discord message id. */
  readonly id: string;
}

/** What a thread's root or title shows about the conversation. */
export interface ConversationInfo {
  readonly key: ConversationKey;
  /** The contact's handle (1:1) or the chat's participants (group). */
  readonly participants: readonly string[];
  readonly displayName?: string;
  readonly isGroup?: boolean;
}

/** Bytes of an attachment, opened by the bridge that owns its `ref`. */
export interface AttachmentBody {
  readonly stream: NodeJS.ReadableStream;
  /** Bytes, when known before reading. */
  readonly size?: number;
}

/** Opens an attachment from another platform; enforces `maxBytes` while streaming. */
export type OpenAttachment = (attachment: Attachment, maxBytes: number) => Promise<AttachmentBody>;

/** A post the router asks a team bridge to make. */
export interface TeamPost {
  /**
   * Who speaks: `customer` (the contact, from the phone), `line` (the line itself, sent from the phone or
   * another tool), `team` (a team member on another team platform, mirrored).
   */
  readonly voice: 'customer' | 'line' | 'team';
  readonly author: Author;
  /** Plain text; the bridge escapes it for its markup so it can never ping anyone. */
  readonly text: string;
  readonly attachments: readonly Attachment[];
  /** Opens an attachment's bytes (from the platform it came from). */
  readonly openAttachment: OpenAttachment;
  /**
   * A key unique to this post; a bridge that can make a post idempotent uses it (Discord `nonce`, Slack
   * message metadata) so a replay after a crash cannot post twice.
   */
  readonly idempotencyKey: string;
  /** True when this post is being redone after a restart: the bridge should check whether it already exists. */
  readonly replay: boolean;
}

/** How a team member's message ended. */
export type Mark = 'sent' | 'failed' | 'note';

/** What `createThread` made. */
export interface CreatedThread {
  readonly thread: ThreadRef;
  /**
   * The address of `first` when the platform carried it in the thread's root (Slack: one post per new
   * conversation); undefined when the core must still post it.
   */
  readonly first?: PostRef;
}

/** Events of a team platform that are journaled before their names are looked up. */
export type ResolvableEvent = MessageEvent | StartEvent;

/** A team platform: Slack or Discord. */
export interface TeamBridge {
  readonly id: TeamBridgeId;
  readonly capabilities: Capabilities;
  /** Connects and begins delivering normalized events to `ingest`. Must not throw for a single bad payload. */
  start(ingest: IngestFn): Promise<void>;
  /** Disconnects; must not lose work already acknowledged. */
  stop(): Promise<void>;
  state(): BridgeState;
  /**
   * Creates the conversation's thread under `channel`. The router calls it once per conversation and
   * bridge (never concurrently for one conversation) and stores the result. A bridge whose thread root is
   * a message of its own may carry `first` in it (and says so in the result). With `replay` (an earlier
   * attempt may have created it before a crash) the bridge looks for that thread first.
   */
  createThread(
    channel: string,
    conversation: ConversationInfo,
    options: { readonly first?: TeamPost; readonly replay: boolean },
  ): Promise<CreatedThread>;
  /** Posts into a thread; returns the address of the first message posted (a split text may post several). */
  post(thread: ThreadRef, post: TeamPost): Promise<PostRef>;
  /** Marks a team member's message with how it ended (✅ ⚠️ 📝); `reason` is posted as a note for failures. */
  mark(thread: ThreadRef, message: PostRef, mark: Mark, reason?: string): Promise<void>;
  /** Tells one team member something only they need to know (ephemeral where the platform can). */
  tell(thread: ThreadRef, userId: string, text: string): Promise<void>;
  /**
   * Posts a notice from Threadline itself into the thread (a failure the team must see). `key` makes it
   * idempotent like a post's; with `replay` the bridge first looks for it.
   */
  notice(thread: ThreadRef, text: string, key: string, replay: boolean): Promise<PostRef>;
  /**
   * Finishes an event journaled before any remote lookup (`unresolved`): markup to plain text, names of
   * the author and of mentioned people, and whether the author may text customers. Called when the
   * event's work runs; may read the platform (idempotent reads only). Absent: events arrive resolved.
   */
  resolve?<E extends ResolvableEvent>(event: E): Promise<E>;
  /** Adds or removes a reaction (a Unicode emoji) on a message. */
  react?(thread: ThreadRef, message: PostRef, emoji: string, removed: boolean): Promise<void>;
  /** Tells one team member something in a channel, outside any thread (answers to commands). */
  tellInChannel?(channel: string, userId: string, text: string): Promise<void>;
  /** Opens an attachment of this platform's own messages. */
  openAttachment: OpenAttachment;
}

/** A message for the phone. One attachment per send (messages.dev's rule): the router splits. */
export interface PhoneMessage {
  readonly text: string;
  readonly attachment?: Attachment;
  readonly openAttachment: OpenAttachment;
  /** The messages.dev id or GUID this one replies to. */
  readonly replyTo?: string;
  /** Unique to this send; lets the bridge recognise a send it already made (see `replay`). */
  readonly idempotencyKey: string;
  /**
   * True when this send is being redone after a restart, or after an unknown outcome: the bridge must
   * check (reconcile) whether it went out before sending again. messages.dev has no idempotency key.
   */
  readonly replay: boolean;
  /** With `replay`: when the earlier attempt was made (Unix ms). */
  readonly attemptedAt?: number;
}

/** The phone side: messages.dev. */
export interface PhoneBridge {
  readonly id: 'imessage';
  /** Starts background work (backfill). */
  start(ingest: IngestFn): Promise<void>;
  stop(): Promise<void>;
  state(): BridgeState;
  /** Sends to the chat; resolves with the outbox item id once messages.dev accepted it. */
  send(conversation: ConversationKey, message: PhoneMessage): Promise<{ outboxId: string }>;
  /**
   * The existing chat with `handle` on `line`, when that contact has texted the line (messages.dev only
   * delivers to contacts who wrote first); undefined otherwise.
   */
  findConversation(line: string, handle: string): Promise<ConversationKey | undefined>;
  /** Shows the contact a typing indicator in the chat (best effort, lowest priority). */
  typing?(conversation: ConversationKey): Promise<void>;
  /** Sends a tapback on a message (messages.dev id or GUID). There is no way to remove one. */
  react(conversation: ConversationKey, messageId: string, tapback: string): Promise<void>;
  /**
   * What became of an accepted send (messages.dev has no failure webhook): `pending` while the line has
   * not sent it yet. A read at poll priority: sends go first in the key's budget.
   */
  deliveryOf(outboxId: string): Promise<{ readonly status: 'pending' | 'sent' | 'failed'; readonly reason?: string }>;
  /** Opens an attachment of a phone message. */
  openAttachment: OpenAttachment;
  /** Largest attachment the phone side takes. */
  readonly maxAttachmentBytes: number;
}
