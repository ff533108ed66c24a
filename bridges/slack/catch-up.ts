import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ThreadRef } from '../../src/core/bridge.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { callSlack, webDestination } from './web.js';

/**
 * Socket Mode does not buffer events while disconnected, and bolt acknowledges an event before our
 * listener runs: after a restart, the replies of linked threads since the last event seen are read back
 * and handed in like events (their effect keys make anything already bridged a no-op).
 */
export async function catchUpThreads(deps: {
  readonly client: WebClient;
  readonly queues: SendQueues;
  readonly threads: readonly ThreadRef[];
  /** Unix ms of the last Slack message handled before the restart; nothing to do without it. */
  readonly since: number | undefined;
  readonly handIn: (eventId: string, raw: unknown) => Promise<void>;
  readonly log: Logger;
}): Promise<number> {
  if (deps.since === undefined) return 0;
  const oldest = ((deps.since - 60_000) / 1000).toFixed(6);
  let count = 0;
  for (const thread of deps.threads) {
    let cursor: string | undefined;
    do {
      const page = await callSlack(
        deps.queues,
        webDestination,
        'conversations.replies (catch-up)',
        () =>
          deps.client.conversations.replies({
            channel: thread.channel,
            ts: thread.thread,
            oldest,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          }),
        { idempotent: true, priority: 'poll' },
      );
      for (const message of page.messages ?? []) {
        if (message.ts === thread.thread) continue;
        await deps.handIn(`catch-up:${thread.channel}:${message.ts}`, {
          ...message,
          type: 'message',
          channel: thread.channel,
        });
        count++;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }
  if (count > 0) deps.log.info({ count }, 'Slack catch-up handed in thread replies');
  return count;
}
