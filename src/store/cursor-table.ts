import { checkedCursor } from './record-shapes.js';
import { isRecord } from './manifest.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import { corruptShard } from './store-error.js';
import type { BackfillCursor, CursorStore } from './store.js';

const NAME = 'cursors';

/** Per-line backfill cursors, one small file (`cursors`): there is one cursor per line. */
export class CursorTable implements CursorStore, ShardTable {
  readonly prefix = NAME;
  readonly #host: ShardHost;
  readonly #cursors = new Map<string, BackfillCursor>();

  constructor(host: ShardHost) {
    this.#host = host;
  }

  get(line: string): BackfillCursor | undefined {
    return this.#cursors.get(line);
  }

  list(): [string, BackfillCursor][] {
    return [...this.#cursors];
  }

  set(line: string, cursor: BackfillCursor): void {
    this.#host.assertOpen();
    this.#cursors.set(line, checkedCursor(line, cursor));
    this.#host.touch(NAME);
  }

  initialize(): void {
    this.#host.create(NAME);
  }

  load(name: string, data: unknown, file: string): void {
    if (name !== NAME || !isRecord(data) || !Array.isArray(data.cursors)) {
      throw corruptShard(file, 'expected { cursors: [[line, cursor], ...] }');
    }
    for (const [index, pair] of (data.cursors as unknown[]).entries()) {
      const [line, cursor] = Array.isArray(pair) ? (pair as unknown[]) : [];
      if (
        typeof line !== 'string' ||
        !isRecord(cursor) ||
        typeof cursor.lastSentAt !== 'number' ||
        (cursor.lastMessageId !== undefined && typeof cursor.lastMessageId !== 'string')
      ) {
        throw corruptShard(file, `cursor ${index} is not [line, { lastSentAt, lastMessageId? }]`);
      }
      this.#cursors.set(line, toCursor(cursor as unknown as BackfillCursor));
    }
  }

  finishLoad(): void {}

  *shardNames(): Iterable<string> {
    yield NAME;
  }

  snapshot(name: string): unknown {
    return name === NAME ? { cursors: [...this.#cursors] } : undefined;
  }
}

function toCursor(cursor: BackfillCursor): BackfillCursor {
  return Object.freeze({
    lastSentAt: cursor.lastSentAt,
    ...(cursor.lastMessageId !== undefined && { lastMessageId: cursor.lastMessageId }),
  });
}
