import { newEffectRecord, patchedEffect } from './record-shapes.js';
import { deepFreeze } from './journal-table.js';
import { isRecord } from './manifest.js';
import { RecordSegments } from './record-segments.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import type { Effect, EffectPatch, EffectStore, NewEffect } from './store.js';

const PREFIX = 'effects';

/**
 * Effects in segments of `perSegment` consecutive ids (`effects-000002`), see {@link RecordSegments}: a
 * change rewrites only its segment. Dead letters stay until retried, completed or past `deadRetentionMs`.
 */
export class EffectTable implements EffectStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #records: RecordSegments<Effect>;
  readonly #deadRetentionMs: number;

  constructor(host: ShardHost, options: { perSegment: number; deadRetentionMs: number }) {
    this.#host = host;
    this.#records = new RecordSegments(host, PREFIX, options.perSegment);
    this.#deadRetentionMs = options.deadRetentionMs;
  }

  get size(): number {
    return this.#records.size;
  }

  append(input: NewEffect): Effect {
    this.#host.assertOpen();
    const effect = newEffectRecord(input, this.#host.now(), () => this.#records.allocate());
    this.#records.put(effect.id, effect);
    return effect;
  }

  get(id: number): Effect | undefined {
    return this.#records.get(id);
  }

  update(id: number, patch: EffectPatch): Effect | undefined {
    this.#host.assertOpen();
    const current = this.#records.get(id);
    if (!current) return undefined;
    const updated = patchedEffect(current, patch);
    this.#records.put(id, updated);
    return updated;
  }

  complete(id: number): boolean {
    this.#host.assertOpen();
    return this.#records.delete(id);
  }

  list(): Effect[] {
    return [...this.#records.values()];
  }

  /** Removes dead letters that died more than the retention ago; returns how many. */
  prune(now: number): number {
    const expired = this.list().filter(
      (effect) => effect.deadAt !== undefined && effect.deadAt + this.#deadRetentionMs <= now,
    );
    for (const effect of expired) this.#records.delete(effect.id);
    return expired.length;
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

function isEffect(value: unknown): value is Effect {
  return (
    isRecord(value) &&
    Number.isInteger(value.id) &&
    typeof value.lane === 'string' &&
    typeof value.destination === 'string' &&
    'op' in value &&
    typeof value.createdAt === 'number' &&
    typeof value.attempts === 'number'
  );
}

/** Checks one stored effect (from a segment file or a logged delta). */
function parseRecord(value: unknown): { seq: number; record: Effect } {
  if (!isEffect(value)) throw new Error('is not an effect');
  return { seq: value.id, record: deepFreeze({ ...value }) };
}
