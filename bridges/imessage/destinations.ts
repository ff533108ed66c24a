import type { DestinationConfig } from '../../src/queue/send-queue-types.js';
import type { ImessageConfig } from './config.js';

/** The shared bucket of the messages.dev API key: every call draws from it. */
export const apiKeyBucket = 'imessage:key';

/** Sends and tapbacks of one line, paced per line. */
export function lineDestination(line: string): string {
  return `imessage:${line}`;
}

/** Uploads and downloads: unpaced per line, but counted against the key. */
export const filesDestination = 'imessage:files';
/** Outbox polls and backfill reads: lowest priority. */
export const readsDestination = 'imessage:reads';

/**
 * How each messages.dev destination is paced. Every call draws from the key's hourly bucket, so our own
 * pacing keeps the key under its limit; a 429 pauses the destination that got it for exactly its
 * Retry-After. Should the key itself be exhausted (another tool sharing it), each other destination
 * learns it from its own next call and pauses likewise: one extra request per destination, never a loop.
 */
export function imessageDestinationConfig(config: ImessageConfig): (key: string) => DestinationConfig {
  return (key) =>
    key === filesDestination || key === readsDestination
      ? { buckets: [apiKeyBucket], rateLimitScope: 'destination' }
      : {
          ...(config.sendIntervalMs > 0 ? { limit: { count: 1, perMs: config.sendIntervalMs } } : {}),
          buckets: [apiKeyBucket],
          rateLimitScope: 'destination',
        };
}
