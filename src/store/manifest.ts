import { StoreError } from './store-error.js';

export const MANIFEST_FORMAT = 'threadline-store';
/** 2: shard files stamped with a batch number, a write-ahead log beside them (1: neither). */
export const MANIFEST_VERSION = 2;

/** Sizes fixed when the store is created: row locations and journal segments are computed from them. */
export interface Layout {
  /** Rows per link segment: a link's id (its row number) locates its segment. */
  readonly linksPerSegment: number;
  /** Sequence numbers per journal segment: a seq locates its segment. */
  readonly journalPerSegment: number;
  /** Ids per effects segment (stores made before effects existed use `journalPerSegment`). */
  readonly effectsPerSegment: number;
}

/**
 * The store's main file: format version, layout, the list of shards that hold data and where the
 * write-ahead log starts. It is rewritten by each checkpoint, after the shard files it relies on are
 * durable and before old shard files and logs are deleted. The shard list is as of `batch`; records of
 * later batches in the logs may change it.
 */
export interface Manifest {
  /** Always `threadline-store`. */
  readonly format: typeof MANIFEST_FORMAT;
  /** The file format version; a newer one is refused rather than misread. */
  readonly version: typeof MANIFEST_VERSION;
  /** Sizes fixed at creation. */
  readonly layout: Layout;
  /** Shard names, e.g. `conversations-0101`, `links-000012`, `journal-000003`, `dedupe-000001`, `cursors`. */
  readonly shards: readonly string[];
  /** The last batch whose changes the manifest and the shard files hold (0 for a version 1 store). */
  readonly batch: number;
  /** The first log file still needed; older ones hold nothing the shard files lack (0 before logs existed). */
  readonly log: number;
}

/** A manifest as read, with the version it was written in (older ones are upgraded by a checkpoint). */
export interface ReadManifest {
  readonly manifest: Manifest;
  readonly writtenVersion: number;
}

/** Checks a manifest read from `file`; throws a `store_corrupt` StoreError naming the file. */
export function parseManifest(data: unknown, file: string): ReadManifest {
  const fail = (why: string): never => {
    throw new StoreError('store_corrupt', `Store manifest ${file} is not usable: ${why}`, { file });
  };
  if (!isRecord(data)) return fail('not a JSON object');
  if (data.format !== MANIFEST_FORMAT) return fail(`format is not "${MANIFEST_FORMAT}"`);
  if (typeof data.version !== 'number') return fail('version missing');
  if (data.version > MANIFEST_VERSION) {
    return fail(`version ${data.version} was written by a newer Threadline (this one reads ${MANIFEST_VERSION})`);
  }
  const layout = data.layout;
  if (!isRecord(layout) || !isPositiveInteger(layout.linksPerSegment) || !isPositiveInteger(layout.journalPerSegment)) {
    return fail('layout missing or invalid');
  }
  const shards = data.shards;
  if (!Array.isArray(shards) || !shards.every((name) => typeof name === 'string')) return fail('shards missing');
  if (layout.effectsPerSegment !== undefined && !isPositiveInteger(layout.effectsPerSegment)) {
    return fail('layout.effectsPerSegment invalid');
  }
  const batch = data.batch ?? 0;
  const log = data.log ?? 0;
  if (!isCount(batch) || !isCount(log)) return fail('batch or log invalid');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    layout: {
      linksPerSegment: layout.linksPerSegment,
      journalPerSegment: layout.journalPerSegment,
      effectsPerSegment: layout.effectsPerSegment ?? layout.journalPerSegment,
    },
    shards,
    batch,
    log,
  };
  return { manifest, writtenVersion: data.version };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
