import type { Mark } from './bridge.js';
import type { Attachment, Author, BridgeId, ConversationKey, MessageEvent, StartEvent, TeamBridgeId } from './model.js';

/**
 * What an effect does: JSON, kept in the store until done. Each names the store ids it needs (links,
 * conversations) and reads them when it runs, so an effect always sees what the effects before it in its
 * lane produced (a thread created, a post linked).
 */
export type EffectOp =
  | PostOp
  | ReactOp
  | MarkOp
  | NoticeOp
  | TellOp
  | ReviewOp
  | MirrorOp
  | ReplyOp
  | TapbackOp
  | TrackOp
  | LineMessageOp
  | StartOp;

/** A message into a team thread (creating the thread first when the conversation has none there). */
export interface PostOp {
  readonly kind: 'post';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  /** The link that gets this team's side once posted. */
  readonly linkId: string;
  readonly voice: 'customer' | 'line' | 'team';
  readonly author: Author;
  readonly text: string;
  readonly attachments: readonly Attachment[];
  /** The platform that can open the attachments. */
  readonly source: BridgeId;
  /** Unique to this post (Slack metadata, Discord nonce). */
  readonly key: string;
  /** Unix ms when it was written on its platform (for the latency metric). */
  readonly sentAt: number;
}

/** A reaction shown (or removed) on a message in a team thread. */
export interface ReactOp {
  readonly kind: 'react';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly emoji: string;
  readonly removed: boolean;
}

/** ✅ ⚠️ 📝 on a team copy of a message; a failure's reason is posted with it. */
export interface MarkOp {
  readonly kind: 'mark';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly mark: Mark;
  readonly reason?: string;
}

/** A notice from Threadline in a team thread (something failed for good). */
export interface NoticeOp {
  readonly kind: 'notice';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  readonly text: string;
  readonly key: string;
}

/** Something one team member needs to know, in the thread (or, without a conversation, in the channel). */
export interface TellOp {
  readonly kind: 'tell';
  readonly team: TeamBridgeId;
  readonly conversation?: ConversationKey;
  readonly channel: string;
  readonly userId: string;
  readonly text: string;
  /** Told only if the message of this link went to the phone (by the time the tell runs). */
  readonly ifSent?: string;
}

/** A team message in its own thread: marked 📝 when it stays internal, with the reason when it was refused. */
export interface ReviewOp {
  readonly kind: 'review';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly event: MessageEvent;
}

/** A team message copied into the route's other team thread, when it goes to the customer. */
export interface MirrorOp {
  readonly kind: 'mirror';
  readonly team: TeamBridgeId;
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly event: MessageEvent;
}

/** A team message to the phone, one attachment per send; `progress` counts the parts accepted. */
export interface ReplyOp {
  readonly kind: 'reply';
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly event: MessageEvent;
  /** Sent as is: no prefix rule (a `/text` command says outright it is for the customer). */
  readonly command?: true;
}

/** A team reaction as a tapback on the phone. */
export interface TapbackOp {
  readonly kind: 'tapback';
  readonly conversation: ConversationKey;
  /** The link of the message reacted to; its phone id is read when the tapback is sent. */
  readonly linkId: string;
  readonly tapback: string;
}

/** Follows an accepted send until messages.dev says it was sent or failed (`progress` counts the polls). */
export interface TrackOp {
  readonly kind: 'track';
  readonly conversation: ConversationKey;
  readonly linkId: string;
  readonly outboxId: string;
}

/**
 * A message the line sent whose outbox id is not linked yet while sends of this conversation are still
 * pending: decided once they settled (a delivery of ours, or a message sent from the phone to mirror).
 */
export interface LineMessageOp {
  readonly kind: 'line-message';
  readonly conversation: ConversationKey;
  readonly event: MessageEvent;
}

/** A team member starts a conversation with a number (`/text`). */
export interface StartOp {
  readonly kind: 'start';
  readonly team: TeamBridgeId;
  readonly event: StartEvent;
}

/**
 * The origin order of an effect's op, for its lane: a text from the phone posted into a team thread follows
 * the order the customer sent it in (see EffectRunnerDeps.orderOf); other ops keep the order they were added.
 */
export function phoneTextOrderOf(op: unknown): number | undefined {
  const post = op as Partial<PostOp> | null;
  return post?.kind === 'post' && post.source === 'imessage' && typeof post.sentAt === 'number'
    ? post.sentAt
    : undefined;
}
