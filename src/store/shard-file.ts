import { isRecord } from './manifest.js';
import { corruptShard } from './store-error.js';

/**
 * A shard's content as of a batch: what the table's `snapshot` returned (fresh containers around
 * records that are never changed in place, so it can be serialized later); null when the shard is gone.
 */
export interface ShardVersion {
  readonly batch: number;
  readonly data: unknown;
}

/**
 * The text of a shard file: `{"batch":n,"data":…}`. The stamp is the batch the content is from, so that
 * replaying a log record over a file a later checkpoint wrote changes nothing.
 */
export function stampShard(batch: number, json: string): string {
  return `{"batch":${batch},"data":${json}}`;
}

/**
 * Splits a shard file's parsed content into its stamp and data. A file written before shards were
 * stamped (manifest version 1) is its data alone, and counts as batch 0.
 */
export function unstampShard(content: unknown, file: string): { batch: number; data: unknown } {
  // Version 1 shards never have both keys: their top-level keys are the tables' (segment, rows, …).
  if (!isRecord(content) || !('batch' in content && 'data' in content)) return { batch: 0, data: content };
  const batch = content.batch;
  if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) {
    throw corruptShard(file, 'its batch stamp is not a non-negative integer');
  }
  return { batch, data: content.data };
}
