import type { BridgeId } from '../core/model.js';
import { hashRange } from './hash.js';
import type { DeliveryState, MessageLink } from './store.js';

/**
 * A message link packed into one line of text, fields joined by `|`:
 *
 * `line|chat|origin|createdAt|delivery|imessageId|guid|outboxId|slackChannel|slackTs|discordChannel|discordId`
 *
 * `origin` is `i`, `s` or `d` (imessage, slack, discord), `createdAt` is Unix ms in base 36, `delivery` is
 * `p`, `s`, `f` (pending, sent, failed) or empty: a million rows are the bulk of the store's memory, and
 * these save 8% of it. An absent field is empty. Inside a field `\`, `|` and space are escaped as `\\`, `\p` and `\s`, so a
 * row never contains the row terminator (a space, see {@link ROW_END}) and splitting on `|` is safe.
 * Rows are stored back to back in one string per segment (see `LinkSegment`): a million links then
 * cost their bytes and not a million heap objects, and they are decoded into {@link MessageLink}
 * objects only on lookup.
 */
export type LinkRow = string;

/** Ends every row inside a segment's text. Chosen because JSON does not escape it. */
export const ROW_END = ' ';

/** Field positions inside a {@link LinkRow}. */
export const LinkField = {
  line: 0,
  chat: 1,
  origin: 2,
  createdAt: 3,
  delivery: 4,
  imessageId: 5,
  guid: 6,
  outboxId: 7,
  slackChannel: 8,
  slackTs: 9,
  discordChannel: 10,
  discordId: 11,
} as const;

export type LinkFieldIndex = (typeof LinkField)[keyof typeof LinkField];

const FIELD_COUNT = 12;
const SEPARATOR = '|';
const ORIGIN_CODES: Readonly<Record<BridgeId, string>> = { imessage: 'i', slack: 's', discord: 'd' };
const DELIVERY_CODES: Readonly<Record<DeliveryState, string>> = { pending: 'p', sent: 's', failed: 'f' };
const ORIGINS = invert(ORIGIN_CODES);
const DELIVERIES = invert(DELIVERY_CODES);
/** The one-character codes by char code, so that a row is checked without taking fields out of it. */
const ORIGIN_CHARS = singleCharCodes(ORIGINS);
const DELIVERY_CHARS = singleCharCodes(DELIVERIES);
/** Base 36 digits a `createdAt` may have (Number.MAX_SAFE_INTEGER has 11). */
const MAX_CREATED_AT_DIGITS = 11;

/**
 * Where each field of a scanned row starts inside the text it was scanned in: field `i` spans
 * `[bounds[i], bounds[i + 1] - 1)`. Scanning once and reading fields from the bounds avoids allocating
 * substrings when a million rows are indexed.
 */
export type RowBounds = Int32Array;

/** A bounds buffer to reuse across {@link scanRow} calls. */
export function createRowBounds(): RowBounds {
  return new Int32Array(FIELD_COUNT + 1);
}

/** Fills `bounds` for the row at `text[start..end)`; returns the number of fields found (12 when well formed). */
export function scanRow(text: string, start: number, end: number, bounds: RowBounds): number {
  bounds[0] = start;
  let count = 1;
  for (let at = text.indexOf(SEPARATOR, start); at !== -1 && at < end; at = text.indexOf(SEPARATOR, at + 1)) {
    if (count < FIELD_COUNT) bounds[count] = at + 1;
    count++;
  }
  if (count <= FIELD_COUNT) bounds[count] = end + 1;
  return count;
}

/** Packs a link (its id is not part of the row: it is the row's location). */
export function encodeLinkRow(link: Omit<MessageLink, 'id'>): LinkRow {
  return [
    link.conversation.line,
    link.conversation.chat,
    ORIGIN_CODES[link.origin],
    link.createdAt.toString(36),
    link.delivery ? DELIVERY_CODES[link.delivery] : '',
    link.imessage?.id ?? '',
    link.imessage?.guid ?? '',
    link.imessage?.outboxId ?? '',
    link.slack?.channel ?? '',
    link.slack?.ts ?? '',
    link.discord?.channel ?? '',
    link.discord?.id ?? '',
  ]
    .map(escapeField)
    .join(SEPARATOR);
}

/** Unpacks a row into a fresh link object. */
export function decodeLinkRow(id: string, row: LinkRow): MessageLink {
  const f = row.split(SEPARATOR).map(unescapeField);
  const field = (index: LinkFieldIndex): string | undefined => f[index] || undefined;
  const imessageId = field(LinkField.imessageId);
  const guid = field(LinkField.guid);
  const outboxId = field(LinkField.outboxId);
  const slackChannel = field(LinkField.slackChannel);
  const slackTs = field(LinkField.slackTs);
  const discordChannel = field(LinkField.discordChannel);
  const discordId = field(LinkField.discordId);
  const delivery = DELIVERIES.get(f[LinkField.delivery] ?? '');
  return {
    id,
    conversation: { line: f[LinkField.line] ?? '', chat: f[LinkField.chat] ?? '' },
    origin: ORIGINS.get(f[LinkField.origin] ?? '') ?? 'imessage',
    createdAt: Number.parseInt(f[LinkField.createdAt] ?? '', 36),
    ...(delivery && { delivery }),
    ...((imessageId ?? guid ?? outboxId) !== undefined && {
      imessage: {
        ...(imessageId !== undefined && { id: imessageId }),
        ...(guid !== undefined && { guid }),
        ...(outboxId !== undefined && { outboxId }),
      },
    }),
    ...(slackChannel !== undefined && slackTs !== undefined && { slack: { channel: slackChannel, ts: slackTs } }),
    ...(discordChannel !== undefined &&
      discordId !== undefined && { discord: { channel: discordChannel, id: discordId } }),
  };
}

/** Why the row at `text[start..end)` cannot be used, or undefined; leaves its bounds in `bounds`. */
export function checkLinkRow(text: string, start: number, end: number, bounds: RowBounds): string | undefined {
  const count = scanRow(text, start, end, bounds);
  if (count !== FIELD_COUNT) return `expected ${FIELD_COUNT} fields, found ${count}`;
  // Each check first reads the row in place (a million rows are checked at open); what fails that is
  // taken out of the row and checked as before.
  if (
    !isCharIn(text, bounds, LinkField.origin, ORIGIN_CHARS) &&
    !ORIGINS.has(fieldAt(text, bounds, LinkField.origin))
  ) {
    return 'unknown origin';
  }
  if (fieldLength(bounds, LinkField.delivery) > 0 && !isCharIn(text, bounds, LinkField.delivery, DELIVERY_CHARS)) {
    if (!DELIVERIES.has(fieldAt(text, bounds, LinkField.delivery))) return 'unknown delivery state';
  }
  if (!isBase36(text, bounds, LinkField.createdAt) && !Number.isFinite(createdAtOf(text, bounds))) {
    return 'bad createdAt';
  }
  return undefined;
}

function fieldLength(bounds: RowBounds, field: LinkFieldIndex): number {
  return (bounds[field + 1] ?? 0) - 1 - (bounds[field] ?? 0);
}

/** True when the field is one character whose code is in `codes`. */
function isCharIn(text: string, bounds: RowBounds, field: LinkFieldIndex, codes: ReadonlySet<number>): boolean {
  return fieldLength(bounds, field) === 1 && codes.has(text.charCodeAt(bounds[field] ?? 0));
}

/** True when the field is 1 to 11 digits 0-9a-z, which {@link createdAtOf} reads as a finite number. */
function isBase36(text: string, bounds: RowBounds, field: LinkFieldIndex): boolean {
  const start = bounds[field] ?? 0;
  const end = start + fieldLength(bounds, field);
  if (end <= start || end - start > MAX_CREATED_AT_DIGITS) return false;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a))) return false;
  }
  return true;
}

/** `createdAt` of a scanned row, without decoding it. */
export function createdAtOf(text: string, bounds: RowBounds): number {
  const value = fieldAt(text, bounds, LinkField.createdAt);
  return value.length > 0 && value.length <= 11 ? Number.parseInt(value, 36) : Number.NaN;
}

/** Hash of the fields of a scanned row, chained; undefined when any of them is empty. */
export function hashFields(text: string, bounds: RowBounds, fields: readonly LinkFieldIndex[]): number | undefined {
  let hash: number | undefined;
  for (const field of fields) {
    const start = bounds[field] ?? 0;
    const end = (bounds[field + 1] ?? 0) - 1;
    if (end <= start) return undefined;
    hash = hashRange(text, start, end, hash);
  }
  return hash;
}

/** Hash of lookup values, equal to {@link hashFields} of a row whose fields hold them. */
export function hashValues(values: readonly string[]): number {
  let hash: number | undefined;
  for (const value of values) {
    const stored = escapeField(value);
    hash = hashRange(stored, 0, stored.length, hash);
  }
  return hash ?? 0;
}

/** True when the scanned row's fields hold exactly `values`. */
export function fieldsEqual(
  text: string,
  bounds: RowBounds,
  fields: readonly LinkFieldIndex[],
  values: readonly string[],
): boolean {
  return fields.every((field, i) => {
    const stored = escapeField(values[i] ?? '');
    const start = bounds[field] ?? 0;
    return (bounds[field + 1] ?? 0) - 1 - start === stored.length && text.startsWith(stored, start);
  });
}

function fieldAt(text: string, bounds: RowBounds, field: LinkFieldIndex): string {
  return text.slice(bounds[field], (bounds[field + 1] ?? 0) - 1);
}

function escapeField(value: string): string {
  if (!value.includes('\\') && !value.includes(SEPARATOR) && !value.includes(ROW_END)) return value;
  return value.replace(/[\\| ]/g, (char) => (char === '\\' ? '\\\\' : char === SEPARATOR ? '\\p' : '\\s'));
}

function unescapeField(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_match, char: string) => (char === 'p' ? SEPARATOR : char === 's' ? ROW_END : char));
}

function singleCharCodes(codes: ReadonlyMap<string, unknown>): ReadonlySet<number> {
  return new Set([...codes.keys()].filter((code) => code.length === 1).map((code) => code.charCodeAt(0)));
}

function invert<K extends string>(codes: Readonly<Record<K, string>>): ReadonlyMap<string, K> {
  return new Map(Object.entries(codes).map(([name, code]) => [code as string, name as K]));
}
