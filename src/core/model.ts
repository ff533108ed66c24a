/**
 * The normalized model every bridge translates to and from. The router, store and queues speak only
 * this; platform ids are opaque strings built and parsed inside `bridges/<id>/ids.ts`.
 */

/** The literal names of the bridges: folder under `bridges/`, config key and `bridge` log field. */
export type BridgeId = 'imessage' | 'slack' | 'discord';
/** The bridges where a team reads and answers (everything but the phone side). */
export type TeamBridgeId = Exclude<BridgeId, 'imessage'>;

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A platform's message id (messages.dev `msg_…`, Slack `ts`, Discord snowflake). */
export type MessageId = Brand<string, 'MessageId'>;
/** A platform's thread reference (Slack root `ts` in a channel, Discord thread channel id). */
export type ThreadId = Brand<string, 'ThreadId'>;

/** One customer conversation: a chat on a messages.dev line. The pair is the conversation's identity. */
export interface ConversationKey {
  /** The line handle (E.164 number or Apple ID) as routes name it. */
  readonly line: string;
  /** The messages.dev chat id (`cht_…`). */
  readonly chat: string;
}

/** The stable string form of a conversation key, for maps, logs and store keys. */
export function conversationId(key: ConversationKey): string {
  return `${key.line}/${key.chat}`;
}

export interface Author {
  /** Platform id of the author (phone handle, Slack user id, Discord user id). */
  readonly id: string;
  /** What to show for the author; falls back to the id. */
  readonly name?: string;
  readonly avatarUrl?: string;
  /** Team side only: false when the platform's allow-list does not let this person text customers. */
  readonly mayText?: boolean;
}

/** A file carried by a message. Serializable, so it can sit in the journal; bytes are opened by the owning bridge. */
export interface Attachment {
  readonly name: string;
  readonly mimeType: string;
  /** Bytes, when the platform told us. */
  readonly size?: number;
  /** Bridge-owned reference the bridge can open (a URL or a file id); the core never parses it. */
  readonly ref: string;
  /** True for a tap-to-record voice memo. */
  readonly voiceMemo?: boolean;
  /** A voice memo's transcript, when the platform has one. */
  readonly transcript?: string;
}

/** Where an event came from, in its origin platform's terms. */
export interface Origin {
  readonly bridge: BridgeId;
  readonly messageId: MessageId;
  /** Set for events from the phone side. */
  readonly conversation?: ConversationKey;
  /** Set for events from a team side: the channel and the thread they happened in. */
  readonly channel?: string;
  readonly thread?: ThreadId;
}

export interface MessageEvent {
  readonly kind: 'message';
  readonly origin: Origin;
  readonly author: Author;
  readonly sentAt: number;
  /** Plain text (the neutral markup); empty when the message is attachments only. */
  readonly text: string;
  readonly attachments: readonly Attachment[];
  /** The origin platform's id of the message this one replies to. */
  readonly replyTo?: MessageId;
  /** Phone side only: true when the line itself sent it (`message.sent`), not the contact. */
  readonly fromLine?: boolean;
  /** Phone side only: the outbox item that produced it, when it was sent through the API. */
  readonly outboxId?: string;
  /** Phone side only: the message's iMessage GUID (reactions and replies may name it). */
  readonly guid?: string;
  /**
   * Team side: true while `text` is still the platform's markup and the author's name (and `mayText`) are
   * not looked up yet. Events are journaled like this, before any remote lookup; the origin bridge's
   * `resolve` finishes them when their work runs.
   */
  readonly unresolved?: true;
}

export interface EditEvent {
  readonly kind: 'edit';
  readonly origin: Origin;
  readonly author: Author;
  readonly sentAt: number;
  readonly target: MessageId;
  readonly text: string;
}

export interface DeleteEvent {
  readonly kind: 'delete';
  readonly origin: Origin;
  readonly author: Author;
  readonly target: MessageId;
}

export interface ReactionEvent {
  readonly kind: 'reaction';
  readonly origin: Origin;
  readonly author: Author;
  readonly sentAt: number;
  /** The origin platform's id of the message reacted to. */
  readonly target: MessageId;
  /** The reaction as a Unicode emoji (bridges translate their own names at the boundary). */
  readonly emoji: string;
  readonly removed: boolean;
}

/** What became of a message Threadline sent to the phone. */
export interface DeliveryEvent {
  readonly kind: 'delivery';
  readonly origin: Origin;
  readonly outboxId: string;
  readonly status: 'sent' | 'failed';
  /** Why it failed, verbatim from the platform. */
  readonly reason?: string;
}

/** A team member starts a conversation with a number from a route's channel (Slack `/text <number> <message>`). */
export interface StartEvent {
  readonly kind: 'start';
  /** The team channel the command was used in (`channel`), and the command's own id (`messageId`). */
  readonly origin: Origin;
  readonly author: Author;
  readonly sentAt: number;
  /** The contact's handle: an E.164 number or an Apple ID email. */
  readonly handle: string;
  /** The first message, plain text. */
  readonly text: string;
  /** True while the author's name (and `mayText`) are not looked up yet (see MessageEvent). */
  readonly unresolved?: true;
}

/** One normalized event; a discriminated union on `kind`. */
export type BridgeEvent = MessageEvent | EditEvent | DeleteEvent | ReactionEvent | DeliveryEvent | StartEvent;

/** An event as it enters through an ingress, with the key that makes redelivery harmless. */
export interface Ingress {
  /** Unique per effect: the same key arriving twice is applied once (e.g. `imessage:dlv_…`). */
  readonly dedupeKey: string;
  /** A second key for the same effect under another delivery (e.g. `imessage:message.received:msg_…`). */
  readonly effectKey?: string;
  readonly event: BridgeEvent;
}
