import type { ThreadRef } from '../../src/core/bridge.js';
import type { SlackOutboundDeps } from './outbound.js';
import { callSlack, methodDestination } from './web.js';

const statusLine = /\n_Last message from the customer: [^\n]*_$/;

/**
 * Keeps a thread's root useful in the channel list: its last line says when the customer last wrote.
 * Updated at most once a minute per thread (chat.update is Tier 3), reading the root's current text
 * back from Slack so it survives restarts.
 */
export class RootStatus {
  readonly #lastUpdate = new Map<string, number>();

  constructor(
    private readonly deps: SlackOutboundDeps,
    private readonly now: () => number,
    private readonly minIntervalMs = 60_000,
  ) {}

  /** The customer wrote at `at` (Unix ms). */
  async touch(thread: ThreadRef, at: number): Promise<void> {
    const key = `${thread.channel}/${thread.thread}`;
    const last = this.#lastUpdate.get(key);
    if (last !== undefined && this.now() - last < this.minIntervalMs) return;
    this.#lastUpdate.set(key, this.now());
    const replies = await callSlack(
      this.deps.queues,
      methodDestination('conversations.replies'),
      'conversations.replies (root)',
      () => this.deps.client.conversations.replies({ channel: thread.channel, ts: thread.thread, limit: 1 }),
      { idempotent: true, priority: 'poll' },
    );
    const root = replies.messages?.find((message) => message.ts === thread.thread);
    if (!root?.text) return;
    const when = new Date(at).toISOString().slice(0, 16).replace('T', ' ');
    const text = `${root.text.replace(statusLine, '')}\n_Last message from the customer: ${when} UTC_`;
    await callSlack(this.deps.queues, methodDestination('chat.update'), 'chat.update (root)', () =>
      this.deps.client.chat.update({ channel: thread.channel, ts: thread.thread, text }),
    );
  }
}
