import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ThreadRef } from '../../src/core/bridge.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { callSlack, methodDestination } from './web.js';

/** Margin before the cursor, for clock skew between Slack's timestamps and ours. */
const marginMs = 60_000;
/** Channel history pages looked through for threads with new replies (200 parents each). */
const maxHistoryPages = 25;

export interface SlackCatchUpDeps {
  readonly client: WebClient;
  readonly queues: SendQueues;
  /** The route channels. */
  readonly channels: readonly string[];
  /** True when the thread rooted at `ts` in `channel` is a conversation's. */
  readonly isLinked: (channel: string, ts: string) => boolean;
  /** Conversation threads the store saw activity in since a time (covers roots older than the history read). */
  readonly recentThreads: (sinceMs: number) => readonly ThreadRef[];
  /** The catch-up cursor (a low-water mark, Unix ms); nothing to do without it. */
  readonly since: number | undefined;
  readonly handIn: (eventId: string, raw: unknown) => Promise<void>;
  readonly log: Logger;
}

/**
 * Socket Mode does not buffer events while disconnected, and a crash may come between Slack's delivery and
 * the journal: after a restart, the replies posted since the cursor are read back and handed in like
 * events (their effect keys make anything already journaled a no-op). Which threads to read is learned
 * from the channels' history (each parent says when its latest reply was), so the cost is one read per
 * history page plus one per thread that really has new replies.
 */
export async function catchUpThreads(deps: SlackCatchUpDeps): Promise<number> {
  if (deps.since === undefined) return 0;
  const oldestMs = deps.since - marginMs;
  const oldest = (oldestMs / 1000).toFixed(6);
  const threads = new Map<string, ThreadRef>();
  for (const channel of deps.channels) {
    for (const thread of await threadsWithNewReplies(deps, channel, oldestMs)) {
      threads.set(`${thread.channel}/${thread.thread}`, thread);
    }
  }
  for (const thread of deps.recentThreads(oldestMs)) threads.set(`${thread.channel}/${thread.thread}`, thread);
  let count = 0;
  for (const thread of threads.values()) {
    let cursor: string | undefined;
    do {
      const page = await callSlack(
        deps.queues,
        methodDestination('conversations.replies'),
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
  if (count > 0) deps.log.info({ count, threads: threads.size }, 'Slack catch-up handed in thread replies');
  return count;
}

/** Conversation threads of `channel` whose latest reply is at or after `oldestMs`, from the channel history. */
async function threadsWithNewReplies(deps: SlackCatchUpDeps, channel: string, oldestMs: number): Promise<ThreadRef[]> {
  const found: ThreadRef[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxHistoryPages; page++) {
    const result = await callSlack(
      deps.queues,
      methodDestination('conversations.history'),
      'conversations.history (catch-up)',
      () => deps.client.conversations.history({ channel, limit: 200, ...(cursor ? { cursor } : {}) }),
      { idempotent: true, priority: 'poll' },
    );
    for (const parent of result.messages ?? []) {
      const latest = Number(parent.latest_reply ?? 0) * 1000;
      if (parent.ts && latest >= oldestMs && deps.isLinked(channel, parent.ts)) {
        found.push({ channel, thread: parent.ts });
      }
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return found;
}
