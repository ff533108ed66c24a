import type { ConversationKey } from '../../src/core/model.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { MessagesDevClient } from './client.js';
import { readsDestination } from './destinations.js';

/** The most chats read while looking for one (at 100 a page); lines with more rely on the contact texting first. */
const maxPages = 20;

/**
 * The 1:1 chat with `handle` on `line`, if that contact has texted the line. There is no lookup by
 * handle in the API, so the line's chats are listed (newest first) until it turns up.
 */
export async function findChat(
  deps: { client: MessagesDevClient; queues: SendQueues },
  line: string,
  handle: string,
): Promise<ConversationKey | undefined> {
  const wanted = normalizeHandle(handle);
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const chats = await deps.queues.enqueue(readsDestination, {
      label: 'find chat',
      priority: 'send',
      idempotent: true,
      run: () => deps.client.listChatsPage({ from: line, limit: 100, cursor }),
    });
    const chat = chats.data.find((candidate) => !candidate.isGroup && normalizeHandle(candidate.identifier) === wanted);
    if (chat) return chat.hasReceivedInbound === false ? undefined : { line, chat: chat.id };
    if (!chats.hasMore || !chats.nextCursor) return undefined;
    cursor = chats.nextCursor;
  }
  return undefined;
}

/** Phone numbers compare by digits (with their +), Apple IDs case-insensitively. */
export function normalizeHandle(handle: string): string {
  const trimmed = handle.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  const digits = trimmed.replace(/[^\d+]/g, '');
  return digits.startsWith('+') ? digits : `+${digits}`;
}
