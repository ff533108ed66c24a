import type { BridgeId, ConversationKey, TeamBridgeId } from '../core/model.js';

/**
 * The durable state of Threadline: conversation ↔ thread mappings, message id ↔ message id links, the
 * journal of pending work, dedupe keys and per-line backfill cursors.
 *
 * Durability model: every mutating method applies to memory at once and returns synchronously, so the
 * next read sees it. Nothing is durable until {@link Store.commit} resolves: it resolves when every
 * mutation made before the call is on disk. Mutations made within the same short window share one
 * write (group commit), so callers should mutate first and then await `commit()`:
 *
 * ```ts
 * const seq = store.journal.append({ kind: 'imessage.webhook', payload });
 * await store.commit(); // now answer 2xx
 * ```
 *
 * A window's mutations become durable together, across tables, or not at all: after a crash a dedupe
 * claim is never found without the journal entry committed with it. Callers still acknowledge only
 * after `commit()` resolves.
 */
export interface Store {
  /** Conversation ↔ thread mappings. */
  readonly conversations: ConversationStore;
  /** Message id ↔ message id links across platforms. */
  readonly links: LinkStore;
  /** Events received and not yet planned into effects, replayed after a restart. */
  readonly journal: Journal;
  /** Effects waiting to be applied, and dead letters. */
  readonly effects: EffectStore;
  /** Keys that make redeliveries harmless. */
  readonly dedupe: DedupeStore;
  /** Per-line backfill cursors. */
  readonly cursors: CursorStore;
  /**
   * Resolves when every mutation made before this call is durable; rejects (with a `StoreError` of code
   * `store_io`) when writing failed. Joins the current group-commit window rather than forcing a write.
   */
  commit(): Promise<void>;
  /**
   * Drops message links past their retention and dedupe keys past their TTL now. Also runs on a timer
   * (`pruneIntervalMs`); the work is proportional to what expired, not to the size of the store.
   */
  prune(): PruneResult;
  /** Flushes every pending mutation, stops the timers; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** What one {@link Store.prune} removed. */
export interface PruneResult {
  /** Message links removed. */
  readonly links: number;
  /** Dedupe keys forgotten. */
  readonly dedupeKeys: number;
  /** Dead letters past their retention removed. */
  readonly deadLetters: number;
}

/** Where a conversation lives on a team platform. */
export interface ThreadRef {
  /** Slack channel id, or Discord parent channel id. */
  readonly channel: string;
  /** Slack root message `ts`, or Discord thread channel id. */
  readonly thread: string;
}

/** One customer conversation and the threads it is mirrored into. */
export interface Conversation {
  /** The line and chat: the conversation's identity. */
  readonly key: ConversationKey;
  /** Handles of the other people in the chat (phone numbers, Apple IDs). */
  readonly participants: readonly string[];
  /** A name to show for the conversation (a contact or group name), when known. */
  readonly displayName?: string;
  /** True for a group chat, when known. */
  readonly isGroup?: boolean;
  /** The thread on each team platform the conversation is mirrored into. */
  readonly threads: Readonly<Partial<Record<TeamBridgeId, ThreadRef>>>;
  /** Unix ms when the store first saw the conversation. */
  readonly createdAt: number;
  /** Unix ms of the last activity the router recorded. */
  readonly lastActivityAt: number;
}

/** A change to a conversation; absent fields are left as they are. */
export interface ConversationPatch {
  /** Replaces the participants. */
  readonly participants?: readonly string[];
  /** `null` clears the name. */
  readonly displayName?: string | null;
  /** Sets whether the chat is a group. */
  readonly isGroup?: boolean;
  /** Per bridge: a ref links the thread (replacing any earlier one), `null` unlinks it. */
  readonly threads?: Readonly<Partial<Record<TeamBridgeId, ThreadRef | null>>>;
  /** Defaults to now when the conversation is created; otherwise unchanged unless given. */
  readonly lastActivityAt?: number;
}

export interface ConversationStore {
  /** The conversation with this key, if any. */
  get(key: ConversationKey): Conversation | undefined;
  /**
   * The conversation linked to a team-side thread, for events that happen in that thread. A thread is
   * linked to at most one conversation; linking it again moves it.
   */
  findByThread(bridge: TeamBridgeId, channel: string, thread: string): Conversation | undefined;
  /** Every conversation, in no particular order (for catch-up after a restart). */
  list(): Conversation[];
  /** Creates the conversation if it is new, then applies `patch`; returns the stored result. */
  upsert(key: ConversationKey, patch?: ConversationPatch): Conversation;
  /** Number of conversations. */
  readonly size: number;
}

/** The messages.dev side of a message; any subset of its three handles. */
export interface IMessageRef {
  /** `msg_…` id. */
  readonly id?: string;
  /** Raw Apple GUID. */
  readonly guid?: string;
  /** `obx_…` outbox item that sent it, when Threadline sent it. */
  readonly outboxId?: string;
}

export interface SlackMessageRef {
  /** The channel id (`C…`). */
  readonly channel: string;
  /** The message `ts` (unique within its channel). */
  readonly ts: string;
}

export interface DiscordMessageRef {
  /** The channel (or thread channel) the message is in. */
  readonly channel: string;
  /** The message snowflake. */
  readonly id: string;
}

export type DeliveryState = 'pending' | 'sent' | 'failed';

/** The ids of one message on every platform it exists on. */
export interface MessageLink {
  /** The store's own id for the link (opaque). */
  readonly id: string;
  /** The conversation the message belongs to. */
  readonly conversation: ConversationKey;
  /** The message on the phone side, once it exists there. */
  readonly imessage?: IMessageRef;
  /** The message in the Slack thread, once posted or when it came from there. */
  readonly slack?: SlackMessageRef;
  /** The message in the Discord thread, once posted or when it came from there. */
  readonly discord?: DiscordMessageRef;
  /** Where the message was first written. */
  readonly origin: BridgeId;
  /** Unix ms when the link was created; retention counts from here. */
  readonly createdAt: number;
  /** Delivery to the phone, for messages sent through messages.dev. */
  readonly delivery?: DeliveryState;
}

export interface NewMessageLink {
  /** The conversation the message belongs to. */
  readonly conversation: ConversationKey;
  /** Where the message was first written. */
  readonly origin: BridgeId;
  /** Any handles already known on the phone side. */
  readonly imessage?: IMessageRef;
  /** The Slack side, if it already exists. */
  readonly slack?: SlackMessageRef;
  /** The Discord side, if it already exists. */
  readonly discord?: DiscordMessageRef;
  /** Delivery to the phone, for messages sent through messages.dev. */
  readonly delivery?: DeliveryState;
}

/** A change to a link. `imessage` merges handle by handle; `slack` and `discord` replace that side. */
export interface MessageLinkPatch {
  /** Handles to add or change; the ones not given are kept. */
  readonly imessage?: IMessageRef;
  /** Replaces the Slack side. */
  readonly slack?: SlackMessageRef;
  /** Replaces the Discord side. */
  readonly discord?: DiscordMessageRef;
  /** Replaces the delivery state. */
  readonly delivery?: DeliveryState;
}

/**
 * Message links, findable from any side. Every id must be a non-empty string; a handle already used
 * by another link is taken over by the newer one.
 */
export interface LinkStore {
  /** Records a new link; returns it with its id and `createdAt`. */
  create(link: NewMessageLink): MessageLink;
  /** The link with this store id, unless it was pruned. */
  get(id: string): MessageLink | undefined;
  /** Adds or changes sides of a link and keeps every lookup right; undefined when the id is unknown. */
  update(id: string, patch: MessageLinkPatch): MessageLink | undefined;
  /** By messages.dev `msg_…` id. */
  findByIMessageId(messageId: string): MessageLink | undefined;
  /** By raw iMessage GUID. */
  findByGuid(guid: string): MessageLink | undefined;
  /** By messages.dev outbox item id. */
  findByOutboxId(outboxId: string): MessageLink | undefined;
  /** By Slack channel and message `ts`. */
  findBySlack(channel: string, ts: string): MessageLink | undefined;
  /** By Discord message snowflake. */
  findByDiscord(messageId: string): MessageLink | undefined;
  /** Every link held, oldest first (for `threadline store export`). */
  list(): MessageLink[];
  /** Number of links held. */
  readonly size: number;
}

/** Work to do, as it is appended. `payload` must survive JSON (it is stored as JSON). */
export interface JournalInput {
  /** What kind of work this is (the journal worker dispatches on it); non-empty. */
  readonly kind: string;
  /** The work itself; must survive `JSON.stringify`. */
  readonly payload: unknown;
}

export interface JournalEntry {
  /** Monotonic across restarts; never reused. */
  readonly seq: number;
  /** As appended. */
  readonly kind: string;
  /** A deep-frozen JSON copy of what was appended. */
  readonly payload: unknown;
  /** Unix ms of the append. */
  readonly appendedAt: number;
}

/** The journal of pending work: an entry stays until it is completed, across restarts. */
export interface Journal {
  /** Appends work; returns its sequence number. Throws a TypeError when the payload is not JSON. */
  append(input: JournalInput): number;
  /** Removes the entry; false when it was not pending. */
  complete(seq: number): boolean;
  /** Every pending entry, in `seq` order (for replay after a restart). */
  pending(): JournalEntry[];
  /** Number of pending entries. */
  readonly size: number;
}

/** Keys that make redelivery harmless, each remembered for its TTL. */
export interface DedupeStore {
  /**
   * True when the key is new (or its earlier claim expired): the key is then recorded for `ttlMs`.
   * False when it was already claimed and has not expired.
   */
  claim(key: string, ttlMs: number): boolean;
  /** True when the key is claimed and not expired. */
  has(key: string): boolean;
  /** Forgets a claim, so a redelivery is processed again (used when handling failed before it was durable). */
  release(key: string): boolean;
  /** Every claim not yet expired, as key and expiry (Unix ms), for `threadline store export`. */
  entries(): [string, number][];
  /** Number of keys held, including expired ones not yet pruned. */
  readonly size: number;
}

/** How far backfill got on one line. */
export interface BackfillCursor {
  /** Unix ms `sent_at` of the last message posted. */
  readonly lastSentAt: number;
  /** `msg_…` id of that message, to skip it when several share a `sent_at`. */
  readonly lastMessageId?: string;
}

export interface CursorStore {
  /** The cursor of a line, if backfill ever ran on it. */
  get(line: string): BackfillCursor | undefined;
  /** Replaces the cursor of a line. */
  set(line: string, cursor: BackfillCursor): void;
  /** Every line's cursor. */
  list(): [string, BackfillCursor][];
}

/** A failure as an effect records it. */
export interface EffectError {
  /** The BridgeError code, or `unexpected`. */
  readonly code: string;
  /** Human-readable, without message bodies or secrets. */
  readonly message: string;
  /** Unix ms. */
  readonly at: number;
}

/**
 * One thing to do on one platform (a post into a thread, a send to the phone, a mark, a reaction…),
 * kept until it succeeds or fails for good. Effects of one lane are applied one at a time, in id order.
 */
export interface Effect {
  /** Monotonic across restarts, never reused: the order of effects within a lane. */
  readonly id: number;
  /** The serial lane (a conversation on one platform, e.g. `+1555…/cht_1|slack`); non-empty. */
  readonly lane: string;
  /** Where it lands, for operators and metrics (`slack:C0123…`, `discord:1122…`, `imessage:+1555…`). */
  readonly destination: string;
  /** What to do; JSON the store does not look into. */
  readonly op: unknown;
  /** Unix ms when it was created; `delivery.maxAgeHours` counts from here. */
  readonly createdAt: number;
  /** Failed attempts so far. */
  readonly attempts: number;
  /**
   * Unix ms of the first call that may have changed something on the platform. Set (and made durable)
   * before that call: after a crash such an effect is reconciled instead of blindly redone.
   */
  readonly attemptedAt?: number;
  /** Not to be tried before this Unix ms (a backoff). */
  readonly notBefore?: number;
  /** Steps of a multi-step effect already done (e.g. parts accepted by the platform). */
  readonly progress?: number;
  /** The last failure. */
  readonly lastError?: EffectError;
  /** Unix ms when it failed for good: a dead letter, kept until retried or past its retention. */
  readonly deadAt?: number;
}

/** An effect's state without its op: what scans over every effect read (cheaper to give than the op). */
export type EffectState = Omit<Effect, 'op'>;

/** A new effect. */
export interface NewEffect {
  readonly lane: string;
  readonly destination: string;
  /** Must survive `JSON.stringify`. */
  readonly op: unknown;
  /** Defaults to now. */
  readonly createdAt?: number;
  /** Not to be tried before this Unix ms. */
  readonly notBefore?: number;
}

/** A change to an effect's state; `null` clears a field, absent fields are kept. */
export interface EffectPatch {
  readonly attempts?: number;
  readonly attemptedAt?: number | null;
  readonly notBefore?: number | null;
  readonly progress?: number | null;
  readonly lastError?: EffectError | null;
  readonly deadAt?: number | null;
  /** Restarts the age (an operator retrying a dead letter). */
  readonly createdAt?: number;
}

/** Effects waiting to be applied, and dead letters. */
export interface EffectStore {
  /** Records a new effect; returns it with its id. Throws a TypeError when `op` is not JSON or a name is empty. */
  append(effect: NewEffect): Effect;
  /** The effect with this id, pending or dead. */
  get(id: number): Effect | undefined;
  /** Changes an effect's state; undefined when the id is unknown. */
  update(id: number, patch: EffectPatch): Effect | undefined;
  /** Removes an effect that is done (or a dead letter nobody will retry); false when unknown. */
  complete(id: number): boolean;
  /** Every effect, pending and dead, in id order. */
  list(): Effect[];
  /** Every effect's state without its op, in id order: for scans that do not read ops (counts, lanes, ages). */
  states(): Iterable<EffectState>;
  /** Number of effects held, dead letters included. */
  readonly size: number;
}
