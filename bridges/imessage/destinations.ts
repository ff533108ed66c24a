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

/** How each messages.dev destination is paced; a 429 is per key, so it pauses the whole bucket. */
export function imessageDestinationConfig(config: ImessageConfig): (key: string) => DestinationConfig {
  return (key) =>
    key === filesDestination || key === readsDestination
      ? { buckets: [apiKeyBucket], rateLimitScope: 'bucket' }
      : {
          ...(config.sendIntervalMs > 0 ? { limit: { count: 1, perMs: config.sendIntervalMs } } : {}),
          buckets: [apiKeyBucket],
          rateLimitScope: 'bucket',
        };
}
