import { effectOfRow, isStoredEffect, rowJson, rowOfStored, SharedStrings, type EffectRow } from './effect-row.js';
import { JsonText } from './json-text.js';
import { checkedNewEffect, patchedEffect } from './record-shapes.js';
import { RecordSegments } from './record-segments.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import type { Effect, EffectPatch, EffectState, EffectStore, NewEffect } from './store.js';

const PREFIX = 'effects';
/** Effects kept parsed: the heads of the lanes being worked on, read again at every step of their run. */
const PARSED_CACHE_SIZE = 4_096;

/**
 * Effects in segments of `perSegment` consecutive ids (`effects-000002`), see {@link RecordSegments}: a
 * change rewrites only its segment. Dead letters stay until retried, completed or past `deadRetentionMs`.
 * Held as compact rows (see {@link EffectRow}); the effects read most are kept parsed in a small cache.
 */
export class EffectTable implements EffectStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #records: RecordSegments<EffectRow>;
  readonly #deadRetentionMs: number;
  #strings = new SharedStrings();
  /** Id → the effect parsed from `row`, valid while `row` is the id's current row. Oldest first. */
  readonly #parsed = new Map<number, { readonly row: EffectRow; readonly effect: Effect }>();

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
    const opText = checkedNewEffect(input);
    const row: EffectRow = Object.freeze({
      id: this.#records.allocate(),
      lane: this.#strings.take(input.lane),
      destination: this.#strings.take(input.destination),
      createdAt: input.createdAt ?? this.#host.now(),
      attempts: 0,
      ...(input.notBefore !== undefined && { notBefore: input.notBefore }),
      opText,
    });
    this.#records.put(row.id, row);
    return this.#remember(row, effectOfRow(row));
  }

  get(id: number): Effect | undefined {
    const row = this.#records.get(id);
    if (!row) return undefined;
    const parsed = this.#parsed.get(id);
    return parsed?.row === row ? parsed.effect : this.#remember(row, effectOfRow(row));
  }

  update(id: number, patch: EffectPatch): Effect | undefined {
    this.#host.assertOpen();
    const current = this.#records.get(id);
    if (!current) return undefined;
    const updated = patchedEffect(current, patch);
    this.#records.put(id, updated);
    const parsed = this.#parsed.get(id);
    return this.#remember(updated, effectOfRow(updated, parsed?.row === current ? parsed.effect.op : undefined));
  }

  complete(id: number): boolean {
    this.#host.assertOpen();
    const row = this.#records.get(id);
    if (!row) return false;
    this.#forget(row);
    return this.#records.delete(id);
  }

  list(): Effect[] {
    const effects: Effect[] = [];
    for (const row of this.#records.values()) {
      const parsed = this.#parsed.get(row.id);
      effects.push(parsed?.row === row ? parsed.effect : effectOfRow(row));
    }
    return effects;
  }

  states(): Iterable<EffectState> {
    return this.#records.values();
  }

  /** Removes dead letters that died more than the retention ago; returns how many. */
  prune(now: number): number {
    const expired: EffectRow[] = [];
    for (const row of this.#records.values()) {
      if (row.deadAt !== undefined && row.deadAt + this.#deadRetentionMs <= now) expired.push(row);
    }
    for (const row of expired) {
      this.#forget(row);
      this.#records.delete(row.id);
    }
    return expired.length;
  }

  initialize(): void {}

  load(name: string, data: unknown, file: string): void {
    this.#records.load(name, data, file, (value) => this.#parseRecord(value));
  }

  deltaOf(name: string, keys: ReadonlySet<string | number>): unknown {
    const { nextSeq, put, del } = this.#records.deltaOf(name, keys) as {
      nextSeq: number;
      put: EffectRow[];
      del: number[];
    };
    return new JsonText(
      () => `{"nextSeq":${nextSeq},"put":[${put.map(rowJson).join(',')}],"del":${JSON.stringify(del)}}`,
    );
  }

  applyDelta(name: string, delta: unknown, file: string): void {
    this.#records.applyDelta(name, delta, file, (value) => this.#parseRecord(value));
  }

  finishLoad(): void {
    this.#records.finishLoad();
    // Counted again from the rows left: a replayed log took strings for rows it then replaced or deleted.
    this.#strings = new SharedStrings();
    for (const row of this.#records.values()) {
      this.#strings.take(row.lane);
      this.#strings.take(row.destination);
    }
  }

  shardNames(): Iterable<string> {
    return this.#records.shardNames();
  }

  snapshot(name: string): unknown {
    const data = this.#records.snapshot(name) as { segment: number; nextSeq: number; entries: EffectRow[] } | undefined;
    return (
      data &&
      new JsonText(
        () =>
          `{"segment":${data.segment},"nextSeq":${data.nextSeq},"entries":[${data.entries.map(rowJson).join(',')}]}`,
      )
    );
  }

  #remember(row: EffectRow, effect: Effect): Effect {
    this.#parsed.delete(row.id);
    this.#parsed.set(row.id, { row, effect });
    if (this.#parsed.size > PARSED_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value!);
    return effect;
  }

  #forget(row: EffectRow): void {
    this.#parsed.delete(row.id);
    this.#strings.release(row.lane);
    this.#strings.release(row.destination);
  }

  /** Checks one stored effect (from a segment file or a logged delta). */
  #parseRecord(value: unknown): { seq: number; record: EffectRow } {
    if (!isStoredEffect(value)) throw new Error('is not an effect');
    return { seq: value.id, record: rowOfStored(value, this.#strings) };
  }
}
