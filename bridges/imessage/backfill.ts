import type { Logger } from 'pino';
import type { IngestFn } from '../../src/core/ingress.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { CursorStore } from '../../src/store/store.js';
import type { MessagesDevClient } from './client.js';
import type { Message } from './client-types.js';
import { readsDestination } from './destinations.js';
import { effectKey } from './ids.js';
import { messageEvent } from './inbound.js';

/** The most messages one backfill brings in per line; beyond that, a note in the logs says so. */
const maxMessagesPerLine = 1000;

/**
 * After downtime, fetches what arrived on a line since its cursor and hands it in, oldest first, under
 * the same effect keys webhooks use, so nothing already posted is posted again. The first run of a line
 * only sets the cursor: history from before Threadline is not imported.
 */
export async function backfillLine(deps: {
  readonly line: string;
  readonly client: MessagesDevClient;
  readonly queues: SendQueues;
  readonly cursors: CursorStore;
  readonly ingest: IngestFn;
  readonly log: Logger;
  readonly now: () => number;
}): Promise<number> {
  const cursor = deps.cursors.get(deps.line);
  if (!cursor) {
    deps.cursors.set(deps.line, { lastSentAt: deps.now() });
    return 0;
  }
  const read = <T>(label: string, run: () => Promise<T>) =>
    deps.queues.enqueue(readsDestination, { label, priority: 'poll', idempotent: true, run });
  const missed: Message[] = [];
  let cursorId: string | undefined;
  chats: do {
    const page = await read('backfill chats', () =>
      deps.client.listChatsPage({ from: deps.line, limit: 100, cursor: cursorId }),
    );
    for (const chat of page.data) {
      if ((chat.lastMessageAt ?? 0) <= cursor.lastSentAt) continue;
      let messageCursor: string | undefined;
      do {
        const messages = await read('backfill messages', () =>
          deps.client.listMessagesPage({ from: deps.line, to: chat.id, limit: 100, cursor: messageCursor }),
        );
        const newer = messages.data.filter((message) => message.sentAt > cursor.lastSentAt);
        missed.push(...newer);
        // Lists come newest first: once a page reaches the cursor, the rest is older.
        messageCursor =
          newer.length === messages.data.length && messages.hasMore ? (messages.nextCursor ?? undefined) : undefined;
      } while (messageCursor && missed.length < maxMessagesPerLine);
      if (missed.length >= maxMessagesPerLine) {
        deps.log.warn({ line: deps.line, limit: maxMessagesPerLine }, 'Backfill stopped at its limit');
        break chats;
      }
    }
    cursorId = page.hasMore ? (page.nextCursor ?? undefined) : undefined;
  } while (cursorId);
  missed.sort((a, b) => a.sentAt - b.sentAt);
  for (const message of missed) {
    const name = message.isFromMe ? 'message.sent' : 'message.received';
    await deps.ingest(
      {
        dedupeKey: `imessage:backfill:${message.id}`,
        effectKey: effectKey(name, message.id),
        event: messageEvent(message, deps.line),
      },
      deps.log,
    );
  }
  if (missed.length > 0) deps.log.info({ line: deps.line, count: missed.length }, 'Backfilled missed messages');
  return missed.length;
}
