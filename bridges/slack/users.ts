import type { WebClient } from '@slack/web-api';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { callSlack, methodDestination } from './web.js';

export interface SlackUserNamesOptions {
  /** How long a name stays good. Default one hour (users.info is a Tier 4 method). */
  readonly freshMs?: number;
  /**
   * How long work waits for a lookup before it goes on with the name it has (the last one known, or the user id).
   * The lookup goes on and fills the cache. Default 1,500 ms.
   */
  readonly waitMs?: number;
  /** After a failed lookup, how long the fallback is used without asking again. Default 60 s. */
  readonly failedForMs?: number;
}

/**
 * Display names of Slack users. A lookup runs inside the conversation's work, so it must never hold that work up
 * for long: while Slack's Web API is down, the chat's texts to Discord and replies to the phone would wait behind
 * it. Hence a bounded wait, one lookup in flight per user, and a short memory of failures.
 */
export class SlackUserNames {
  readonly #cache = new Map<string, { name: string; at: number }>();
  readonly #inFlight = new Map<string, Promise<string | undefined>>();
  readonly #failedAt = new Map<string, number>();
  readonly #freshMs: number;
  readonly #waitMs: number;
  readonly #failedForMs: number;

  constructor(
    private readonly client: WebClient,
    private readonly queues: SendQueues,
    private readonly now: () => number,
    options: SlackUserNamesOptions = {},
  ) {
    this.#freshMs = options.freshMs ?? 3_600_000;
    this.#waitMs = options.waitMs ?? 1_500;
    this.#failedForMs = options.failedForMs ?? 60_000;
  }

  async nameOf(user: string): Promise<string> {
    const cached = this.#cache.get(user);
    if (cached && this.now() - cached.at < this.#freshMs) return cached.name;
    const fallback = cached?.name ?? user;
    const failedAt = this.#failedAt.get(user);
    if (failedAt !== undefined && this.now() - failedAt < this.#failedForMs) return fallback;
    const found = await withDeadline(this.#lookup(user), this.#waitMs);
    // Too slow counts as failed until the lookup answers, so the next events do not wait for it again.
    if (found === undefined && this.#inFlight.has(user)) this.#failedAt.set(user, this.now());
    return found ?? fallback;
  }

  #lookup(user: string): Promise<string | undefined> {
    const running = this.#inFlight.get(user);
    if (running) return running;
    const lookup = callSlack(
      this.queues,
      methodDestination('users.info'),
      'users.info',
      () => this.client.users.info({ user }),
      {
        idempotent: true,
        priority: 'poll',
      },
    ).then(
      (result) => {
        const profile = result.user?.profile;
        const name = profile?.display_name || profile?.real_name || result.user?.real_name || result.user?.name || user;
        this.#cache.set(user, { name, at: this.now() });
        this.#failedAt.delete(user);
        return name;
      },
      () => {
        this.#failedAt.set(user, this.now());
        return undefined;
      },
    );
    const settled = lookup.finally(() => this.#inFlight.delete(user));
    this.#inFlight.set(user, settled);
    return settled;
  }
}

/** The lookup's answer if it comes within `ms`, else undefined (the lookup itself is not cancelled). */
function withDeadline<T>(promise: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
