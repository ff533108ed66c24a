import type { Store } from '../../src/store/store.js';

/** What to look up in a store that cannot be listed (links by id, dedupe keys, cursors by line). */
export interface DumpKeys {
  /** Link ids `link_0` … `link_<links - 1>` are read. */
  readonly links: number;
  readonly dedupeKeys: readonly string[];
  readonly cursorLines: readonly string[];
}

/** Everything a store holds, as plain data in a stable order, to compare two stores with deepEqual. */
export function dumpStore(store: Store, keys: DumpKeys): unknown {
  const conversations = store.conversations
    .list()
    .map((conversation) => JSON.stringify(conversation))
    .sort();
  const links = Array.from({ length: keys.links }, (_, i) => store.links.get(`link_${i}`) ?? null);
  return {
    conversations,
    links,
    linkCount: store.links.size,
    journal: store.journal.pending(),
    effects: store.effects.list(),
    dedupe: keys.dedupeKeys.filter((key) => store.dedupe.has(key)),
    cursors: keys.cursorLines.map((line) => store.cursors.get(line) ?? null),
  };
}
