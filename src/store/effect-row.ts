/**
 * An effect as the embedded store keeps it in memory: its op as the JSON text it is logged as, one flat string
 * instead of an object tree, and its lane and destination strings shared by every effect that names them. A
 * backlog of 100k effects is then a few hundred thousand objects fewer for the collector to walk, and about
 * half the bytes; the op is parsed again only when an effect is read (see EffectTable's cache).
 */
import { deepFreeze } from './journal-table.js';
import { isRecord } from './manifest.js';
import { opTextOf } from './record-shapes.js';
import type { Effect, EffectState } from './store.js';

export interface EffectRow extends EffectState {
  /** `JSON.stringify(op)`. */
  readonly opText: string;
}

/** The effect a row stands for (frozen, the op parsed afresh); `op` reuses an op already parsed from this row. */
export function effectOfRow(row: EffectRow, op?: unknown): Effect {
  // Field by field: a rest-and-spread copy costs more than the parse on this path (every append and update).
  const effect: { -readonly [K in keyof Effect]: Effect[K] } = {
    id: row.id,
    lane: row.lane,
    destination: row.destination,
    op: op ?? deepFreeze(JSON.parse(row.opText) as unknown),
    createdAt: row.createdAt,
    attempts: row.attempts,
  };
  if (row.attemptedAt !== undefined) effect.attemptedAt = row.attemptedAt;
  if (row.notBefore !== undefined) effect.notBefore = row.notBefore;
  if (row.progress !== undefined) effect.progress = row.progress;
  if (row.lastError !== undefined) effect.lastError = row.lastError;
  if (row.deadAt !== undefined) effect.deadAt = row.deadAt;
  return Object.freeze(effect);
}

/** The row of an effect read from a store file or a logged delta (checked by the caller). */
export function rowOfStored(stored: Effect, strings: SharedStrings): EffectRow {
  const { op, ...state } = stored;
  return Object.freeze({
    ...state,
    lane: strings.take(state.lane),
    destination: strings.take(state.destination),
    ...(state.lastError && { lastError: Object.freeze({ ...state.lastError }) }),
    opText: opTextOf(op),
  });
}

/** The row as the JSON of its effect (what a store file holds), without parsing the op again. */
export function rowJson(row: EffectRow): string {
  let json =
    `{"id":${row.id},"lane":${JSON.stringify(row.lane)},"destination":${JSON.stringify(row.destination)},` +
    `"createdAt":${number(row.createdAt)},"attempts":${number(row.attempts)}`;
  if (row.attemptedAt !== undefined) json += `,"attemptedAt":${number(row.attemptedAt)}`;
  if (row.notBefore !== undefined) json += `,"notBefore":${number(row.notBefore)}`;
  if (row.progress !== undefined) json += `,"progress":${number(row.progress)}`;
  if (row.lastError !== undefined) json += `,"lastError":${JSON.stringify(row.lastError)}`;
  if (row.deadAt !== undefined) json += `,"deadAt":${number(row.deadAt)}`;
  return `${json},"op":${row.opText}}`;
}

/** A number as JSON.stringify writes it (a non-finite one as null). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** True when `value` has the fields every stored effect has. */
export function isStoredEffect(value: unknown): value is Effect {
  return (
    isRecord(value) &&
    Number.isInteger(value.id) &&
    typeof value.lane === 'string' &&
    value.lane.length > 0 &&
    typeof value.destination === 'string' &&
    value.destination.length > 0 &&
    'op' in value &&
    typeof value.createdAt === 'number' &&
    typeof value.attempts === 'number'
  );
}

/**
 * One copy of each string in use: a lane (`+1555…/cht_…|slack`) is named by every effect queued on it, and each
 * was built afresh. Counted, so a string no effect names any more is let go.
 */
export class SharedStrings {
  readonly #entries = new Map<string, { readonly value: string; uses: number }>();

  get size(): number {
    return this.#entries.size;
  }

  /** The shared copy of `value`, counted as one more use. */
  take(value: string): string {
    const entry = this.#entries.get(value);
    if (entry) {
      entry.uses++;
      return entry.value;
    }
    this.#entries.set(value, { value, uses: 1 });
    return value;
  }

  /** One use of `value` fewer. */
  release(value: string): void {
    const entry = this.#entries.get(value);
    if (entry && --entry.uses === 0) this.#entries.delete(value);
  }
}
