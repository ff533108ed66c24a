/** Rules every store applies alike to the records it holds (the embedded tables and the PostgreSQL rows). */
import { deepFreeze } from './journal-table.js';
import type { BackfillCursor, Effect, EffectError, EffectPatch, EffectState, NewEffect } from './store.js';

/** An effect op as JSON text; TypeError when JSON cannot hold it. */
export function opTextOf(op: unknown): string {
  const text = JSON.stringify(op) as string | undefined;
  if (text === undefined) throw new TypeError('Expected an effect op that JSON can represent');
  return text;
}

/** Checks a new effect and returns its op as JSON text. TypeError for an empty name or an op JSON cannot hold. */
export function checkedNewEffect(input: NewEffect): string {
  if (typeof input.lane !== 'string' || input.lane.length === 0) throw new TypeError('Expected a non-empty lane');
  if (typeof input.destination !== 'string' || input.destination.length === 0) {
    throw new TypeError('Expected a non-empty destination');
  }
  return opTextOf(input.op);
}

/**
 * A new effect as every store holds it (frozen, `op` a JSON copy); `allocate` gives its id once the input
 * is known good (see checkedNewEffect).
 */
export function newEffectRecord(input: NewEffect, now: number, allocate: () => number): Effect {
  const text = checkedNewEffect(input);
  return Object.freeze({
    id: allocate(),
    lane: input.lane,
    destination: input.destination,
    op: deepFreeze(JSON.parse(text) as unknown),
    createdAt: input.createdAt ?? now,
    attempts: 0,
    ...(input.notBefore !== undefined && { notBefore: input.notBefore }),
  });
}

/**
 * `current` with `patch` applied: `null` clears a field, absent fields are kept. Built afresh rather than by
 * `delete`, which would leave the record a slow dictionary-mode object for as long as it is held.
 */
export function patchedEffect<T extends EffectState>(current: T, patch: EffectPatch): T {
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) {
    if ((patch as Record<string, unknown>)[key] === undefined) next[key] = value;
  }
  for (const [key, value] of Object.entries(patch) as [keyof EffectPatch, unknown][]) {
    if (value === undefined || value === null) continue;
    next[key] = key === 'lastError' ? Object.freeze({ ...(value as EffectError) }) : value;
  }
  return Object.freeze(next) as unknown as T;
}

/** A cursor as every store holds it; TypeError for an empty line or a malformed cursor. */
export function checkedCursor(line: string, cursor: BackfillCursor): BackfillCursor {
  if (typeof line !== 'string' || line.length === 0) throw new TypeError('Expected a non-empty line');
  if (!Number.isFinite(cursor.lastSentAt)) throw new TypeError('Expected lastSentAt to be a finite number');
  if (cursor.lastMessageId !== undefined && typeof cursor.lastMessageId !== 'string') {
    throw new TypeError('Expected lastMessageId to be a string');
  }
  return Object.freeze({
    lastSentAt: cursor.lastSentAt,
    ...(cursor.lastMessageId !== undefined && { lastMessageId: cursor.lastMessageId }),
  });
}
