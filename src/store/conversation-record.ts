import type { ConversationKey, TeamBridgeId } from '../core/model.js';
import { isRecord } from './manifest.js';
import type { Conversation, ConversationPatch, ThreadRef } from './store.js';

export const TEAM_BRIDGES: readonly TeamBridgeId[] = ['slack', 'discord'];

/** Applies a patch to a conversation (or creates it); the result is frozen and shares nothing mutable. */
export function mergeConversation(
  before: Conversation | undefined,
  key: ConversationKey,
  patch: ConversationPatch,
  now: number,
): Conversation {
  checkPatch(patch);
  const threads: Partial<Record<TeamBridgeId, ThreadRef>> = { ...before?.threads };
  for (const bridge of TEAM_BRIDGES) {
    const ref = patch.threads?.[bridge];
    if (ref === null) delete threads[bridge];
    else if (ref !== undefined) threads[bridge] = { channel: ref.channel, thread: ref.thread };
  }
  const displayName = patch.displayName === null ? undefined : (patch.displayName ?? before?.displayName);
  const isGroup = patch.isGroup ?? before?.isGroup;
  return freezeConversation({
    key: { line: key.line, chat: key.chat },
    participants: [...(patch.participants ?? before?.participants ?? [])],
    ...(displayName !== undefined && { displayName }),
    ...(isGroup !== undefined && { isGroup }),
    threads,
    createdAt: before?.createdAt ?? now,
    lastActivityAt: patch.lastActivityAt ?? before?.lastActivityAt ?? now,
  });
}

/** Drops one bridge's thread from a conversation (the thread moved to another conversation). */
export function withoutThread(conversation: Conversation, bridge: TeamBridgeId): Conversation {
  const threads = { ...conversation.threads };
  delete threads[bridge];
  return freezeConversation({ ...conversation, threads });
}

/** The key under which the reverse index files a thread. */
export function threadKey(bridge: TeamBridgeId, channel: string, thread: string): string {
  return `${bridge}\u0000${channel}\u0000${thread}`;
}

/** A conversation read from disk, or a description of what is wrong with it. */
export function parseConversation(value: unknown): Conversation | string {
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
  return freezeConversation(value as unknown as Conversation);
}

function freezeConversation(conversation: Conversation): Conversation {
  Object.freeze(conversation.key);
  Object.freeze(conversation.participants);
  for (const ref of Object.values(conversation.threads)) Object.freeze(ref);
  Object.freeze(conversation.threads);
  return Object.freeze(conversation);
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
