import type { BridgeId } from '../core/model.js';
import type { RateLimit } from './rate-limit.js';
import type { DestinationConfig, RateLimitScope } from './send-queue-types.js';

/**
 * Per-destination pacing from the platforms' documented limits. A destination is a messages.dev line, a Slack
 * channel (all threads of a channel share it) or a Discord channel (each thread is a channel of its own).
 */
export const DEFAULT_DESTINATION_LIMITS = {
  /** messages.dev: at most one send per second per line; Apple watches lines that blast. */
  imessage: { count: 1, perMs: 1_000 },
  /** Slack chat.postMessage: about one per second per channel; "short bursts" read conservatively as 3. */
  slack: { count: 1, perMs: 1_000, burst: 3 },
  /** Discord: 5 messages per 5 seconds per channel. */
  discord: { count: 5, perMs: 5_000 },
} as const satisfies Record<BridgeId, RateLimit>;

/** Limits shared by several destinations, for `SendQueuesOptions.buckets`. */
export const DEFAULT_BUCKET_LIMITS = {
  /** messages.dev: 1,000 requests per hour per API key, every endpoint together (sends, uploads, polls). */
  imessageApiKey: { count: 1_000, perMs: 3_600_000 },
  /**
   * Discord: 50 requests per second per bot, globally. Our queues take 45: discord.js makes a few calls of its own
   * that no queue paces (login, the gateway URL, fetches it needs), and a burst of every thread at once after a
   * restart met Discord's global 429 without that room.
   */
  discordGlobal: { count: 45, perMs: 1_000 },
} as const satisfies Record<string, RateLimit>;

/**
 * Who a 429 pauses, per platform: messages.dev counts per API key (so every line of the key waits), Slack and
 * Discord per channel.
 */
export const DEFAULT_RATE_LIMIT_SCOPES = {
  imessage: 'bucket',
  slack: 'destination',
  discord: 'destination',
} as const satisfies Record<BridgeId, RateLimitScope>;

/**
 * The configuration used when the caller gives no `destinations` resolver: the pacing of the platform named by the
 * key's prefix (`imessage:…`, `slack:…`, `discord:…`), no shared buckets; unknown prefixes are not paced.
 */
export function resolveDefaultDestination(key: string): DestinationConfig {
  const prefix = key.slice(0, key.indexOf(':'));
  switch (prefix) {
    case 'imessage':
    case 'slack':
    case 'discord':
      return { limit: DEFAULT_DESTINATION_LIMITS[prefix], rateLimitScope: 'destination' };
    default:
      return {};
  }
}
