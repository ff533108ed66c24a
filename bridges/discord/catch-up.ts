import type { Client, Message } from 'discord.js';
import type { Logger } from 'pino';
import type { ThreadRef } from '../../src/core/bridge.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { restDestination } from './destinations.js';
import { snowflakeAt } from './ids.js';
import { callDiscord } from './rest.js';

/** Discord returns at most 100 messages per page. */
const pageSize = 100;

/**
 * A gateway RESUME replays short gaps by itself, but nothing replays what was posted while the daemon was
 * down: after a restart, the messages of linked threads since the last one handled (less a minute, for clock
 * skew) are read back oldest first and handed in like gateway messages; their effect keys make anything
 * already bridged a no-op.
 */
export async function catchUpThreads(deps: {
  readonly client: Client;
  readonly queues: SendQueues;
  readonly threads: readonly ThreadRef[];
  /** Unix ms of the last Discord message handled before the restart; nothing to do without it. */
  readonly since: number | undefined;
  readonly handIn: (message: Message) => Promise<void>;
  readonly log: Logger;
}): Promise<number> {
  if (deps.since === undefined) return 0;
  let count = 0;
  for (const thread of deps.threads) {
    try {
      count += await catchUpThread(deps, thread, snowflakeAt(deps.since - 60_000));
    } catch (error) {
      deps.log.warn({ err: error, thread: thread.thread }, 'Discord catch-up of a thread failed');
    }
  }
  if (count > 0) deps.log.info({ count }, 'Discord catch-up handed in thread messages');
  return count;
}

async function catchUpThread(
  deps: Parameters<typeof catchUpThreads>[0],
  thread: ThreadRef,
  start: string,
): Promise<number> {
  const channel = await callDiscord(
    deps.queues,
    restDestination,
    'GET thread (catch-up)',
    () => deps.client.channels.fetch(thread.thread),
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
