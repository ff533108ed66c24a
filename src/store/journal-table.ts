import { isRecord } from './manifest.js';
import { RecordSegments } from './record-segments.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import type { Journal, JournalEntry, JournalInput } from './store.js';

const PREFIX = 'journal';

/**
 * The journal of pending work, in segments of `perSegment` consecutive sequence numbers
 * (`journal-000003` holds seq 3·n … 4·n−1): see {@link RecordSegments}.
 */
export class JournalTable implements Journal, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #records: RecordSegments<JournalEntry>;

  constructor(host: ShardHost, options: { perSegment: number }) {
    this.#host = host;
    this.#records = new RecordSegments(host, PREFIX, options.perSegment);
  }

  get size(): number {
    return this.#records.size;
  }

  append(input: JournalInput): number {
    this.#host.assertOpen();
    if (typeof input.kind !== 'string' || input.kind.length === 0) {
      throw new TypeError('Expected journal kind to be a non-empty string');
    }
    const text = JSON.stringify(input.payload);
    if (text === undefined) throw new TypeError('Expected a journal payload that JSON can represent');
    const payload = deepFreeze(JSON.parse(text) as unknown);
    const seq = this.#records.allocate();
    this.#records.put(seq, Object.freeze({ seq, kind: input.kind, payload, appendedAt: this.#host.now() }));
    return seq;
  }

  complete(seq: number): boolean {
    this.#host.assertOpen();
    return this.#records.delete(seq);
  }

  pending(): JournalEntry[] {
    return [...this.#records.values()];
  }

  initialize(): void {}

  load(name: string, data: unknown, file: string): void {
    this.#records.load(name, data, file, parseRecord);
  }

  deltaOf(name: string, keys: ReadonlySet<string | number>): unknown {
    return this.#records.deltaOf(name, keys);
  }

  applyDelta(name: string, delta: unknown, file: string): void {
    this.#records.applyDelta(name, delta, file, parseRecord);
  }

  finishLoad(): void {
    this.#records.finishLoad();
  }

  shardNames(): Iterable<string> {
    return this.#records.shardNames();
  }

  snapshot(name: string): unknown {
    return this.#records.snapshot(name);
  }
}

function isEntry(value: unknown): value is JournalEntry {
  return (
    isRecord(value) &&
    Number.isInteger(value.seq) &&
    typeof value.kind === 'string' &&
    'payload' in value &&
    typeof value.appendedAt === 'number'
  );
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Checks one stored entry (from a segment file or a logged delta). */
function parseRecord(value: unknown): { seq: number; record: JournalEntry } {
  if (!isEntry(value)) throw new Error('is not a journal entry');
  return { seq: value.seq, record: Object.freeze({ ...value, payload: deepFreeze(value.payload) }) };
}
