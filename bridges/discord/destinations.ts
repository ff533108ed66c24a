import { DEFAULT_BUCKET_LIMITS } from '../../src/queue/default-limits.js';
import type { BucketConfig, DestinationConfig } from '../../src/queue/send-queue-types.js';

/** Discord's 50 requests per second per bot, shared by every call. */
export const discordGlobalBucket = 'discord:global';

/**
 * The shared buckets every Discord destination draws from, for `createSendQueues({ buckets })`: a destination
 * naming a bucket the queues were not given fails with a ConfigError.
 */
export const discordBuckets: Readonly<Record<string, BucketConfig>> = {
  [discordGlobalBucket]: { limit: DEFAULT_BUCKET_LIMITS.discordGlobal },
};

/** Posts into one channel or thread (each thread is a channel of its own, with its own 5 per 5 s). */
export function channelDestination(channelId: string): string {
  return `discord:${channelId}`;
}

/** Calls that are not posts (reactions, thread and webhook management, fetches). */
export const restDestination = 'discord:rest';

/** Discord: 5 messages per 5 seconds per channel; every call also draws from the global bucket. */
export function discordDestinationConfig(key: string): DestinationConfig {
  return key === restDestination
    ? { limit: { count: 10, perMs: 1_000 }, buckets: [discordGlobalBucket], rateLimitScope: 'destination' }
    : { limit: { count: 5, perMs: 5_000 }, buckets: [discordGlobalBucket], rateLimitScope: 'destination' };
}
