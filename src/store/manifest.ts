import { StoreError } from './store-error.js';

export const MANIFEST_FORMAT = 'threadline-store';
export const MANIFEST_VERSION = 1;

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
 * The store's main file: format version, layout and the list of shards that hold data. It is rewritten
 * only when a shard appears or goes, after the new shard files are durable and before old ones are
 * deleted, so a shard file it does not name is a leftover and never data.
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
}

/** Checks a manifest read from `file`; throws a `store_corrupt` StoreError naming the file. */
export function parseManifest(data: unknown, file: string): Manifest {
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
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    layout: {
      linksPerSegment: layout.linksPerSegment,
      journalPerSegment: layout.journalPerSegment,
      effectsPerSegment: layout.effectsPerSegment ?? layout.journalPerSegment,
    },
    shards,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
