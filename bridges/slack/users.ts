import type { WebClient } from '@slack/web-api';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { callSlack, webDestination } from './web.js';

/** Display names of Slack users, looked up once an hour at most (users.info is a Tier 4 method). */
export class SlackUserNames {
  readonly #cache = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly queues: SendQueues,
    private readonly now: () => number,
  ) {}

  async nameOf(user: string): Promise<string> {
    const cached = this.#cache.get(user);
    if (cached && this.now() - cached.at < 3_600_000) return cached.name;
    try {
      const result = await callSlack(
        this.queues,
        webDestination,
        'users.info',
        () => this.client.users.info({ user }),
        {
          idempotent: true,
          priority: 'poll',
        },
      );
      const profile = result.user?.profile;
      const name = profile?.display_name || profile?.real_name || result.user?.real_name || result.user?.name || user;
      this.#cache.set(user, { name, at: this.now() });
      return name;
    } catch {
      return cached?.name ?? user;
    }
  }
}
