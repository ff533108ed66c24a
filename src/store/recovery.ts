import { readFrames } from './log-frame.js';
import { parseLogRecord, type LogRecord } from './log-record.js';
import type { Manifest } from './manifest.js';
import { unstampShard } from './shard-file.js';
import { StoreError } from './store-error.js';
import type { Volume } from './volume.js';

const LOAD_CONCURRENCY = 8;

/** The last thing the logs say about a shard's whole content: what it was, or (data undefined) that it was removed. */
interface Logged {
  readonly batch: number;
  readonly data: unknown;
  readonly removed: boolean;
  /** The log file it came from, for errors. */
  readonly file: string;
}

/** A logged change of some rows of a shard. */
interface LoggedDelta {
  readonly batch: number;
  readonly delta: unknown;
  readonly file: string;
}

/** How the store takes a shard's content (`load`) and the logged changes after it (`applyDelta`). */
export interface RecoveryTarget {
  load(name: string, data: unknown, file: string): void;
  applyDelta(name: string, delta: unknown, file: string): void;
}

/** The store's state after replay, for the write-ahead log to carry on from. */
export interface Recovered {
  /** The highest batch number found anywhere: the next batch is numbered after it. */
  readonly lastBatch: number;
  /** Shards whose newest content is only in the logs: the next checkpoint must write them. */
  readonly pending: Set<string>;
  /** The shards that exist. */
  readonly list: readonly string[];
  /** The log to append to next (never one that may end in a torn record). */
  readonly nextLog: number;
  /** Logs replayed, and their size in bytes. */
  readonly logs: number;
  readonly logBytes: number;
  /** Bytes of torn records ignored at the end of logs. */
  readonly tornBytes: number;
  /** Files deleted: unlisted shards and logs older than the manifest's. */
  readonly leftovers: number;
}

/**
 * Reads the store: the manifest's shards, then every log from the manifest's first needed one, in order.
 * A logged shard version replaces the file's only when its batch is newer than the file's stamp, logged
 * row changes apply only when newer than the content they apply to, and likewise the logged shard list
 * replaces the manifest's; so a log older than a checkpoint that was cut short changes nothing. Hands
 * each shard's content to `load`, then its later changes to `applyDelta`, in order. Throws a `store_corrupt`
 * StoreError naming the file when a shard, a log or the set of shards is damaged.
 */
export async function recover(volume: Volume, manifest: Manifest, target: RecoveryTarget): Promise<Recovered> {
  const logNumbers = await volume.logs();
  const obsolete = logNumbers.filter((no) => no < manifest.log);
  const needed = logNumbers.filter((no) => no >= manifest.log);
  await Promise.all(obsolete.map((no) => volume.removeLog(no)));
  const logged = new Map<string, Logged>();
  const deltas = new Map<string, LoggedDelta[]>();
  let list = { batch: manifest.batch, names: manifest.shards };
  let lastBatch = manifest.batch;
  let logBytes = 0;
  let tornBytes = 0;
  for (const no of needed) {
    const file = volume.describeLog(no);
    const bytes = (await volume.readLog(no)) ?? new Uint8Array();
    const frames = readFrames(bytes, file);
    logBytes += bytes.length;
    tornBytes += frames.tornBytes;
    for (const json of frames.records) {
      const record = parseLogRecord(json, file);
      applyRecord(logged, deltas, record, file);
      if (record.list && record.batch > list.batch) list = { batch: record.batch, names: record.list };
      lastBatch = Math.max(lastBatch, record.batch);
    }
  }
  const loaded = await loadShards(volume, list.names, logged, deltas, target);
  const listed = new Set(list.names);
  const leftovers = (await volume.list()).filter((name) => !listed.has(name));
  await Promise.all(leftovers.map((name) => volume.remove(name)));
  return {
    lastBatch: Math.max(lastBatch, loaded.maxStamp),
    pending: loaded.pending,
    list: list.names,
    nextLog: Math.max(manifest.log, (needed.at(-1) ?? 0) + 1, 1),
    logs: needed.length,
    logBytes,
    tornBytes,
    leftovers: leftovers.length + obsolete.length,
  };
}

/** Notes what a record says about each shard, unless something newer is already known. */
function applyRecord(
  logged: Map<string, Logged>,
  deltas: Map<string, LoggedDelta[]>,
  record: LogRecord,
  file: string,
): void {
  const { batch } = record;
  const newer = (name: string) => (logged.get(name)?.batch ?? -1) < batch;
  for (const name of record.removed) {
    if (newer(name)) logged.set(name, { batch, data: undefined, removed: true, file });
  }
  // Within one record a snapshot wins over a removal: the shard was dropped and made again.
  for (const [name, data] of record.shards) {
    if ((logged.get(name)?.batch ?? -1) <= batch) logged.set(name, { batch, data, removed: false, file });
  }
  for (const [name, delta] of record.deltas) {
    const list = deltas.get(name) ?? [];
    list.push({ batch, delta, file });
    deltas.set(name, list);
  }
}

/**
 * Loads each listed shard from its file or from the logs, whichever is newer, then applies the row
 * changes logged after that content, in batch order.
 */
async function loadShards(
  volume: Volume,
  names: readonly string[],
  logged: ReadonlyMap<string, Logged>,
  deltas: ReadonlyMap<string, readonly LoggedDelta[]>,
  target: RecoveryTarget,
): Promise<{ pending: Set<string>; maxStamp: number }> {
  const present = new Set(await volume.list());
  const pending = new Set<string>();
  let maxStamp = 0;
  const queue = [...names];
  const loadNext = async (): Promise<void> => {
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      const file = volume.describe(name);
      const stored = present.has(name) ? unstampShard(await volume.read(name), file) : undefined;
      const fromLog = logged.get(name);
      let base = -1;
      if (fromLog && fromLog.batch > (stored?.batch ?? -1)) {
        if (fromLog.removed) {
          throw new StoreError(
            'store_corrupt',
            `Store log ${fromLog.file} removes shard ${name} in batch ${fromLog.batch}, but the shard list still names it`,
            { file: fromLog.file },
          );
        }
        pending.add(name);
        target.load(name, fromLog.data, fromLog.file);
        base = fromLog.batch;
      } else if (stored) {
        maxStamp = Math.max(maxStamp, stored.batch);
        target.load(name, stored.data, file);
        base = stored.batch;
      } else {
        throw new StoreError('store_corrupt', `Store file ${file} is missing (the manifest names it)`, { file });
      }
      for (const change of deltas.get(name) ?? []) {
        if (change.batch <= base) continue;
        target.applyDelta(name, change.delta, change.file);
        pending.add(name);
      }
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, loadNext));
  return { pending, maxStamp };
}
