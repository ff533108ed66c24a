import type { BridgeId } from '../core/model.js';
import { hashRange } from './hash.js';
import type { DeliveryState, MessageLink } from './store.js';

/**
 * A message link packed into one string, fields joined by `|`:
 *
 * `line|chat|origin|createdAt|delivery|imessageId|guid|outboxId|slackChannel|slackTs|discordChannel|discordId`
 *
 * An absent field is empty. A `|` or `\` inside a field is escaped as `\p` or `\\`, so splitting on `|`
 * is always safe. One string per link (instead of an object tree) keeps a million links within a few
 * hundred MB and parses fast from JSON; rows are decoded into {@link MessageLink} objects only on lookup.
 */
export type LinkRow = string;

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
const ORIGINS: readonly string[] = ['imessage', 'slack', 'discord'] satisfies readonly BridgeId[];
const DELIVERIES: readonly string[] = ['pending', 'sent', 'failed'] satisfies readonly DeliveryState[];

/**
 * Where each field of a row starts: field `i` is `row.slice(bounds[i], bounds[i + 1] - 1)`. Scanning once
 * and reading fields from the bounds avoids allocating substrings when thousands of rows are indexed.
 */
export type RowBounds = Int32Array;

/** A bounds buffer to reuse across {@link scanRow} calls. */
export function createRowBounds(): RowBounds {
  return new Int32Array(FIELD_COUNT + 1);
}

/** Fills `bounds` for `row`; returns the number of fields found (a well-formed row has 12). */
export function scanRow(row: LinkRow, bounds: RowBounds): number {
  bounds[0] = 0;
  let count = 1;
  for (let at = row.indexOf(SEPARATOR); at !== -1; at = row.indexOf(SEPARATOR, at + 1)) {
    if (count < FIELD_COUNT) bounds[count] = at + 1;
    count++;
  }
  if (count <= FIELD_COUNT) bounds[count] = row.length + 1;
  return count;
}

/** Packs a link (its id is not part of the row: it is the row's location). */
export function encodeLinkRow(link: Omit<MessageLink, 'id'>): LinkRow {
  return [
    link.conversation.line,
    link.conversation.chat,
    link.origin,
    String(link.createdAt),
    link.delivery ?? '',
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
  const delivery = field(LinkField.delivery) as DeliveryState | undefined;
  return {
    id,
    conversation: { line: f[LinkField.line] ?? '', chat: f[LinkField.chat] ?? '' },
    origin: f[LinkField.origin] as BridgeId,
    createdAt: Number(f[LinkField.createdAt]),
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

/**
 * Why a row read from disk cannot be used, or undefined when it is well formed. Leaves the row's
 * bounds in `bounds`.
 */
export function checkLinkRow(row: string, bounds: RowBounds): string | undefined {
  const count = scanRow(row, bounds);
  if (count !== FIELD_COUNT) return `expected ${FIELD_COUNT} fields, found ${count}`;
  if (!ORIGINS.includes(fieldAt(row, bounds, LinkField.origin))) return 'unknown origin';
  const delivery = fieldAt(row, bounds, LinkField.delivery);
  if (delivery && !DELIVERIES.includes(delivery)) return 'unknown delivery state';
  if (!Number.isFinite(createdAtOf(row, bounds))) return 'bad createdAt';
  return undefined;
}

/** `createdAt` of a scanned row, without decoding it. */
export function createdAtOf(row: LinkRow, bounds: RowBounds): number {
  const text = fieldAt(row, bounds, LinkField.createdAt);
  return text ? Number(text) : Number.NaN;
}

/** True when the scanned row's field is not empty. */
export function hasField(bounds: RowBounds, field: LinkFieldIndex): boolean {
  return (bounds[field + 1] ?? 0) - 1 > (bounds[field] ?? 0);
}

/** Hash of the fields of a scanned row, chained; undefined when any of them is empty. */
export function hashFields(row: LinkRow, bounds: RowBounds, fields: readonly LinkFieldIndex[]): number | undefined {
  let hash: number | undefined;
  for (const field of fields) {
    const start = bounds[field] ?? 0;
    const end = (bounds[field + 1] ?? 0) - 1;
    if (end <= start) return undefined;
    hash = hashRange(row, start, end, hash);
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
  row: LinkRow,
  bounds: RowBounds,
  fields: readonly LinkFieldIndex[],
  values: readonly string[],
): boolean {
  return fields.every((field, i) => {
    const stored = escapeField(values[i] ?? '');
    const start = bounds[field] ?? 0;
    return (bounds[field + 1] ?? 0) - 1 - start === stored.length && row.startsWith(stored, start);
  });
}

function fieldAt(row: LinkRow, bounds: RowBounds, field: LinkFieldIndex): string {
  return row.slice(bounds[field], (bounds[field + 1] ?? 0) - 1);
}

function escapeField(value: string): string {
  if (!value.includes('\\') && !value.includes(SEPARATOR)) return value;
  return value.replaceAll('\\', '\\\\').replaceAll(SEPARATOR, '\\p');
}

function unescapeField(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_match, char: string) => (char === 'p' ? SEPARATOR : char));
}
