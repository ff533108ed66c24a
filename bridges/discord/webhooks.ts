import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { BridgeError } from '../../src/core/errors.js';
import type { PauseBook, SendQueues } from '../../src/queue/send-queue-types.js';
import { restDestination } from './destinations.js';
import { callDiscord, discordCodes, isDiscordCode } from './rest.js';

/** The name of the one webhook per channel the bridge creates, and finds again after a restart. */
export const webhookName = 'Threadline';

/**
 * Discord is reported to allow about 30 executions per minute per channel webhook, shared by every thread of
 * the channel. Past that the bridge posts as the bot (with the speaker's name in the text) rather than waiting.
 */
const executionsPerMinute = 30;

export interface ChannelWebhook {
  readonly id: string;
  readonly token: string;
}

interface WireWebhook {
  id: string;
  token?: string;
  name?: string | null;
  application_id?: string | null;
  user?: { id: string };
}

/**
 * One webhook per route channel (text or forum), created on first use, reused with `thread_id` for every thread
 * under it, found again by name after a restart. A channel where the bot lacks Manage Webhooks is remembered and
 * gets bot posts instead.
 */
export class ChannelWebhooks {
  readonly #rest: REST;
  readonly #queues: SendQueues;
  readonly #log: Logger;
  readonly #botId: () => string;
  readonly #now: () => number;
  readonly #hooks = new Map<string, Promise<ChannelWebhook | undefined>>();
  readonly #disabled = new Set<string>();
  readonly #recent = new Map<string, number[]>();
  readonly #exhaustedUntil = new Map<string, number>();

  readonly #pauses: PauseBook | undefined;

  constructor(deps: {
    rest: REST;
    queues: SendQueues;
    log: Logger;
    botId: () => string;
    now: () => number;
    /** Where a spent budget is remembered across restarts (Discord counts an execution inside its window). */
    pauses?: PauseBook;
  }) {
    this.#pauses = deps.pauses;
    this.#rest = deps.rest;
    this.#queues = deps.queues;
    this.#log = deps.log;
    this.#botId = deps.botId;
    this.#now = deps.now;
  }

  /** Webhooks are not allowed in `channel` (no Manage Webhooks): bot posts only. */
  disable(channel: string): void {
    this.#disabled.add(channel);
  }

  /** The channel's webhook, or undefined when the bridge must post as the bot. */
  async get(channel: string): Promise<ChannelWebhook | undefined> {
    if (this.#disabled.has(channel)) return undefined;
    let hook = this.#hooks.get(channel);
    if (!hook) {
      hook = this.#load(channel);
      this.#hooks.set(channel, hook);
    }
    const found = await hook;
    // A failure that may pass is not remembered: the next post tries again.
    if (!found && !this.#disabled.has(channel)) this.#hooks.delete(channel);
    return found;
  }

  /** The webhook was deleted behind our back (10015 Unknown Webhook): the next post finds or creates it anew. */
  forget(channel: string): void {
    this.#hooks.delete(channel);
  }

  /** Takes one execution from the channel's per-minute budget; false when it is spent. */
  takeExecution(channel: string): boolean {
    const now = this.#now();
    const exhaustedUntil = this.#exhaustedUntil.get(channel) ?? this.#pauses?.until(webhookPauseName(channel)) ?? 0;
    if (exhaustedUntil > now) return false;
    const recent = (this.#recent.get(channel) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= executionsPerMinute) {
      this.#recent.set(channel, recent);
      return false;
    }
    recent.push(now);
    this.#recent.set(channel, recent);
    return true;
  }

  /** Discord said the webhook's budget is spent for `ms`: bot posts until then. */
  exhaust(channel: string, ms: number): void {
    this.#exhaustedUntil.set(channel, this.#now() + ms);
    this.#pauses?.record(webhookPauseName(channel), this.#now() + ms);
    this.#log.info({ channel, retry_after_ms: ms }, 'Discord webhook budget spent; posting as the bot meanwhile');
  }

  async #load(channel: string): Promise<ChannelWebhook | undefined> {
    try {
      const existing = (await callDiscord(
        this.#queues,
        restDestination,
        'GET channel webhooks',
        () => this.#rest.get(Routes.channelWebhooks(channel)),
        { idempotent: true },
      )) as WireWebhook[];
      const ours = existing.find(
        (hook) =>
          hook.name === webhookName &&
          hook.token &&
          (hook.application_id === this.#botId() || hook.user?.id === this.#botId()),
      );
      if (ours?.token) return { id: ours.id, token: ours.token };
      const created = (await callDiscord(this.#queues, restDestination, 'POST channel webhook', () =>
        this.#rest.post(Routes.channelWebhooks(channel), { body: { name: webhookName } }),
      )) as WireWebhook;
      if (!created.token) {
        this.#disabled.add(channel);
        return undefined;
      }
      this.#log.info({ channel, webhook: created.id }, 'Discord webhook created');
      return { id: created.id, token: created.token };
    } catch (error) {
      if (isDiscordCode(error, discordCodes.missingPermissions) || isDiscordCode(error, discordCodes.missingAccess)) {
        this.#disabled.add(channel);
        this.#log.warn(
          { channel },
          'Discord refused Manage Webhooks; customer texts are posted by the bot with the name in the text (grant the bot Manage Webhooks in that channel to show names and avatars)',
        );
        return undefined;
      }
      // A refusal (4xx) would only repeat: never ask again in a loop (Discord bans IPs for invalid requests).
      const permanent = !(error instanceof BridgeError) || !error.retryable;
      if (permanent) this.#disabled.add(channel);
      this.#log.warn({ channel, err: error, permanent }, 'Discord webhook unavailable; posting as the bot');
      return undefined;
    }
  }
}

/** The name under which a channel's spent webhook budget is kept in the pause book. */
function webhookPauseName(channel: string): string {
  return `discord:webhook:${channel}`;
}
