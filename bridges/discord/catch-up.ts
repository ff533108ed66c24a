import { Routes, type Client, type Message } from 'discord.js';
import type { Logger } from 'pino';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { restDestination } from './destinations.js';
import { snowflakeAt } from './ids.js';
import { callDiscord } from './rest.js';

/** Discord returns at most 100 messages per page. */
const pageSize = 100;
/** Margin before the cursor, for clock skew. */
const marginMs = 60_000;

export interface DiscordCatchUpDeps {
  readonly client: Client;
  readonly queues: SendQueues;
  /** The guilds of the route channels. */
  readonly guilds: () => readonly string[];
  /** True when `thread` under `parent` is a conversation's. */
  readonly isConversationThread: (parent: string, thread: string) => boolean;
  /** The catch-up cursor (a low-water mark, Unix ms); nothing to do without it. */
  readonly since: number | undefined;
  readonly handIn: (message: Message) => Promise<void>;
  readonly log: Logger;
}

interface ActiveThread {
  id: string;
  parent_id?: string | null;
  last_message_id?: string | null;
}

/**
 * A gateway RESUME replays short gaps by itself, but nothing replays what was posted while the daemon was
 * down, nor a message received just before a crash but not yet journaled: after a restart, the messages
 * posted since the cursor (less a minute) are read back oldest first and handed in like gateway messages
 * (their effect keys make anything already journaled a no-op). Which threads to read is learned from the
 * guild's active threads (each says its last message), so only threads with new messages are read; an
 * archived thread has none (a new message unarchives it).
 */
export async function catchUpThreads(deps: DiscordCatchUpDeps): Promise<number> {
  if (deps.since === undefined) return 0;
  const after = snowflakeAt(deps.since - marginMs);
  let count = 0;
  let threads = 0;
  for (const guild of deps.guilds()) {
    const active = (await callDiscord(
      deps.queues,
      restDestination,
      'GET active threads (catch-up)',
      () => deps.client.rest.get(Routes.guildActiveThreads(guild)),
      { idempotent: true, priority: 'poll' },
    )) as { threads: ActiveThread[] };
    for (const thread of active.threads) {
      const parent = thread.parent_id;
      if (!parent || !deps.isConversationThread(parent, thread.id)) continue;
      if (!thread.last_message_id || BigInt(thread.last_message_id) <= BigInt(after)) continue;
      threads++;
      try {
        count += await catchUpThread(deps, thread.id, after);
      } catch (error) {
        deps.log.warn({ err: error, thread: thread.id }, 'Discord catch-up of a thread failed');
      }
    }
  }
  if (count > 0) deps.log.info({ count, threads }, 'Discord catch-up handed in thread messages');
  return count;
}

async function catchUpThread(deps: DiscordCatchUpDeps, threadId: string, start: string): Promise<number> {
  const channel = await callDiscord(
    deps.queues,
    restDestination,
    'GET thread (catch-up)',
    () => deps.client.channels.fetch(threadId),
    { idempotent: true, priority: 'poll' },
  );
  if (!channel?.isThread()) return 0;
  let after = start;
  let count = 0;
  for (;;) {
    const page = await callDiscord(
      deps.queues,
      restDestination,
      'GET thread messages (catch-up)',
      () => channel.messages.fetch({ after, limit: pageSize, cache: false }),
      { idempotent: true, priority: 'poll' },
    );
    const messages = [...page.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const message of messages) {
      await deps.handIn(message);
      count++;
    }
    const last = messages.at(-1);
    if (!last || messages.length < pageSize) return count;
    after = last.id;
  }
}
