import type { ConversationKey, TeamBridgeId } from '../core/model.js';
import { isRecord } from './manifest.js';
import type { Conversation, ConversationPatch, ThreadRef } from './store.js';

export const TEAM_BRIDGES: readonly TeamBridgeId[] = ['slack', 'discord'];

/**
 * How the conversation table holds a conversation: one flat object, its line and channel strings
 * shared with every other conversation of the same line or channel. A public {@link Conversation} (five
 * objects) is built per read; at 100k conversations this halves their memory.
 */
export class ConversationRecord {
  constructor(
    readonly line: string,
    readonly chat: string,
    readonly participants: readonly string[],
    readonly displayName: string | undefined,
    readonly isGroup: boolean | undefined,
    readonly slackChannel: string | undefined,
    readonly slackThread: string | undefined,
    readonly discordChannel: string | undefined,
    readonly discordThread: string | undefined,
    readonly createdAt: number,
    readonly lastActivityAt: number,
  ) {
    Object.freeze(participants);
  }

  thread(bridge: TeamBridgeId): ThreadRef | undefined {
    const [channel, thread] =
      bridge === 'slack' ? [this.slackChannel, this.slackThread] : [this.discordChannel, this.discordThread];
    return channel === undefined || thread === undefined ? undefined : { channel, thread };
  }

  /** The public, frozen form; also what a shard file holds. */
  toConversation(): Conversation {
    const threads: Partial<Record<TeamBridgeId, ThreadRef>> = {};
    for (const bridge of TEAM_BRIDGES) {
      const ref = this.thread(bridge);
      if (ref) threads[bridge] = Object.freeze(ref);
    }
    return Object.freeze({
      key: Object.freeze({ line: this.line, chat: this.chat }),
      participants: this.participants,
      ...(this.displayName !== undefined && { displayName: this.displayName }),
      ...(this.isGroup !== undefined && { isGroup: this.isGroup }),
      threads: Object.freeze(threads),
      createdAt: this.createdAt,
      lastActivityAt: this.lastActivityAt,
    });
  }

  toJSON(): Conversation {
    return this.toConversation();
  }
}

/** Shares equal strings that repeat across many records (lines, channels). */
export type Intern = (value: string) => string;

/** Applies a patch to a conversation (or creates it). */
export function mergeConversation(
  before: ConversationRecord | undefined,
  key: ConversationKey,
  patch: ConversationPatch,
  now: number,
  intern: Intern,
): ConversationRecord {
  checkPatch(patch);
  const ref = (bridge: TeamBridgeId): ThreadRef | undefined => {
    const change = patch.threads?.[bridge];
    return change === null ? undefined : (change ?? before?.thread(bridge));
  };
  const slack = ref('slack');
  const discord = ref('discord');
  return new ConversationRecord(
    intern(key.line),
    key.chat,
    patch.participants ? [...patch.participants] : (before?.participants ?? []),
    patch.displayName === null ? undefined : (patch.displayName ?? before?.displayName),
    patch.isGroup ?? before?.isGroup,
    slack && intern(slack.channel),
    slack?.thread,
    discord && intern(discord.channel),
    discord?.thread,
    before?.createdAt ?? now,
    patch.lastActivityAt ?? before?.lastActivityAt ?? now,
  );
}

/** The same conversation without one bridge's thread (the thread moved to another conversation). */
export function withoutThread(record: ConversationRecord, bridge: TeamBridgeId, intern: Intern): ConversationRecord {
  const key = { line: record.line, chat: record.chat };
  return mergeConversation(record, key, { threads: { [bridge]: null } }, record.lastActivityAt, intern);
}

/** A conversation read from disk, or a description of what is wrong with it. */
export function parseConversation(value: unknown, intern: Intern): ConversationRecord | string {
  if (!isRecord(value)) return 'not an object';
  const { key, participants, displayName, isGroup, threads, createdAt, lastActivityAt } = value;
  if (!isRecord(key) || typeof key.line !== 'string' || typeof key.chat !== 'string') return 'bad key';
  if (!Array.isArray(participants) || !participants.every((p) => typeof p === 'string')) return 'bad participants';
  if (displayName !== undefined && typeof displayName !== 'string') return 'bad displayName';
  if (isGroup !== undefined && typeof isGroup !== 'boolean') return 'bad isGroup';
  if (typeof createdAt !== 'number' || typeof lastActivityAt !== 'number') return 'bad timestamps';
  if (!isRecord(threads)) return 'bad threads';
  for (const [bridge, ref] of Object.entries(threads)) {
    if (!(TEAM_BRIDGES as readonly string[]).includes(bridge)) return `unknown bridge ${bridge}`;
    if (!isRecord(ref) || typeof ref.channel !== 'string' || typeof ref.thread !== 'string') return 'bad thread';
  }
  const refs = threads as Partial<Record<TeamBridgeId, ThreadRef>>;
  return new ConversationRecord(
    intern(key.line),
    key.chat,
    participants,
    displayName,
    isGroup,
    refs.slack && intern(refs.slack.channel),
    refs.slack?.thread,
    refs.discord && intern(refs.discord.channel),
    refs.discord?.thread,
    createdAt,
    lastActivityAt,
  );
}

function checkPatch(patch: ConversationPatch): void {
  if (patch.participants !== undefined && !patch.participants.every((p) => typeof p === 'string')) {
    throw new TypeError('Expected participants to be strings');
  }
  for (const bridge of TEAM_BRIDGES) {
    const ref = patch.threads?.[bridge];
    if (ref && (!nonEmpty(ref.channel) || !nonEmpty(ref.thread))) {
      throw new TypeError(`Expected threads.${bridge} to have a non-empty channel and thread`);
    }
  }
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
