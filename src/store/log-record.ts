import { isRecord } from './manifest.js';
import { StoreError } from './store-error.js';
import { isShardName } from './volume.js';

/** What one group-commit batch changed, each shard already serialized (taken synchronously at flush). */
export interface BatchChanges {
  /** Shard name → its whole content as JSON (what the table's `snapshot` returned). */
  readonly shards: readonly (readonly [name: string, json: string])[];
  /** Shard name → the changed rows as JSON (what the table's `deltaOf` returned), applied over its content. */
  readonly deltas: readonly (readonly [name: string, json: string])[];
  /** Shards that no longer exist. */
  readonly removed: readonly string[];
  /** Every shard name, when the set of shards changed. */
  readonly list?: readonly string[];
}

/** One record of the write-ahead log, as read back. */
export interface LogRecord {
  /** The batch number: increases with every batch written, never reused. */
  readonly batch: number;
  /** Shard name → content. */
  readonly shards: ReadonlyMap<string, unknown>;
  /** Shard name → changed rows, applied after `shards` of the same record. */
  readonly deltas: ReadonlyMap<string, unknown>;
  readonly removed: readonly string[];
  readonly list: readonly string[] | undefined;
}

/**
 * The JSON of a record: `{"batch":n,"shards":{name: content, …},"deltas":{name: rows, …},"removed":[…],
 * "list":[…]}`. Built by
 * concatenation so that shard content serialized for the batch is not parsed and serialized again.
 */
export function encodeLogRecord(batch: number, changes: BatchChanges): string {
  let json = `{"batch":${batch},"shards":{`;
  changes.shards.forEach(([name, content], index) => {
    json += `${index > 0 ? ',' : ''}${JSON.stringify(name)}:${content}`;
  });
  json += '},"deltas":{';
  changes.deltas.forEach(([name, content], index) => {
    json += `${index > 0 ? ',' : ''}${JSON.stringify(name)}:${content}`;
  });
  json += `},"removed":${JSON.stringify(changes.removed)}`;
  if (changes.list) json += `,"list":${JSON.stringify(changes.list)}`;
  return `${json}}`;
}

/** Checks a record read from `file`; a `store_corrupt` StoreError naming the file when it is not one. */
export function parseLogRecord(json: string, file: string): LogRecord {
  const fail = (why: string): never => {
    throw new StoreError('store_corrupt', `Store log ${file} is corrupt: ${why}`, { file });
  };
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    // The checksum matched, so this was written as is: not a torn write but a bug or a foreign file.
    return fail('a record is not JSON');
  }
  if (!isRecord(data) || !Number.isSafeInteger(data.batch) || (data.batch as number) <= 0) {
    return fail('a record has no batch number');
  }
  const batch = data.batch as number;
  if (!isRecord(data.shards)) return fail(`record ${batch} has no shards`);
  const shards = new Map(Object.entries(data.shards));
  // Records written before deltas existed have none.
  if (data.deltas !== undefined && !isRecord(data.deltas)) return fail(`record ${batch} has bad deltas`);
  const deltas = new Map(Object.entries(data.deltas ?? {}));
  const removed = data.removed;
  if (!isNameList(removed)) return fail(`record ${batch} has a bad list of removed shards`);
  const list = data.list;
  if (list !== undefined && !isNameList(list)) return fail(`record ${batch} has a bad shard list`);
  for (const name of [...shards.keys(), ...deltas.keys()]) {
    if (!isShardName(name)) return fail(`record ${batch} names shard "${name}"`);
  }
  return { batch, shards, deltas, removed, list };
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((name) => typeof name === 'string' && isShardName(name));
}
