import type { ConversationRecord } from './conversation-record.js';
import { linkNumber } from './pg-rows.js';
import type { BackfillCursor, Effect, JournalEntry, MessageLink } from './store.js';

/** A table as a commit writes it: its columns (name, SQL type) and primary key. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly (readonly [string, string])[];
  readonly key: readonly string[];
}

export const conversationShape: TableShape = {
  name: 'conversations',
  columns: [
    ['line', 'text'],
    ['chat', 'text'],
    ['participants', 'jsonb'],
    ['display_name', 'text'],
    ['is_group', 'boolean'],
    ['slack_channel', 'text'],
    ['slack_thread', 'text'],
    ['discord_channel', 'text'],
    ['discord_thread', 'text'],
    ['created_at', 'bigint'],
    ['last_activity_at', 'bigint'],
  ],
  key: ['line', 'chat'],
};

export const linkShape: TableShape = {
  name: 'links',
  columns: [
    ['no', 'bigint'],
    ['line', 'text'],
    ['chat', 'text'],
    ['origin', 'text'],
    ['imessage_id', 'text'],
    ['imessage_guid', 'text'],
    ['outbox_id', 'text'],
    ['slack_channel', 'text'],
    ['slack_ts', 'text'],
    ['discord_channel', 'text'],
    ['discord_id', 'text'],
    ['delivery', 'text'],
    ['created_at', 'bigint'],
  ],
  key: ['no'],
};

export const journalShape: TableShape = {
  name: 'journal',
  columns: [
    ['seq', 'bigint'],
    ['kind', 'text'],
    ['payload', 'jsonb'],
    ['appended_at', 'bigint'],
  ],
  key: ['seq'],
};

export const effectShape: TableShape = {
  name: 'effects',
  columns: [
    ['id', 'bigint'],
    ['lane', 'text'],
    ['destination', 'text'],
    ['op', 'jsonb'],
    ['created_at', 'bigint'],
    ['attempts', 'integer'],
    ['attempted_at', 'bigint'],
    ['not_before', 'bigint'],
    ['progress', 'integer'],
    ['last_error', 'jsonb'],
    ['dead_at', 'bigint'],
  ],
  key: ['id'],
};

export const dedupeShape: TableShape = {
  name: 'dedupe',
  columns: [
    ['key', 'text'],
    ['expires_at', 'bigint'],
  ],
  key: ['key'],
};

export const cursorShape: TableShape = {
  name: 'cursors',
  columns: [
    ['line', 'text'],
    ['last_sent_at', 'bigint'],
    ['last_message_id', 'text'],
  ],
  key: ['line'],
};

/**
 * JSON for a statement parameter. PostgreSQL's text and jsonb cannot hold the NUL character, and one row
 * it refuses would fail every commit after it: NUL (only ever garbage in a message) becomes U+FFFD.
 */
export function pgJson(value: unknown): string {
  // \u0000 is a NUL escape unless its backslash is itself escaped (preceded by an odd run of backslashes).
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

/**
 * One statement that writes any number of rows, passed as one JSON array parameter: an insert, or an
 * update of every column when the key exists.
 */
export function upsertSql(shape: TableShape): string {
  const names = shape.columns.map(([name]) => name);
  const record = shape.columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const updates = names.filter((name) => !shape.key.includes(name)).map((name) => `${name} = EXCLUDED.${name}`);
  return (
    `INSERT INTO ${shape.name} (${names.join(', ')}) ` +
    `SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${record}) ` +
    `ON CONFLICT (${shape.key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`
  );
}

/** Deletes rows by a one-column key, passed as one array parameter. */
export function deleteSql(shape: TableShape): string {
  const [key] = shape.key;
  const type = shape.columns.find(([name]) => name === key)![1];
  return `DELETE FROM ${shape.name} WHERE ${key} = ANY($1::${type}[])`;
}

/** Deletes conversations by `[line, chat]` pairs, passed as one JSON array parameter. */
export const deleteConversationsSql =
  'DELETE FROM conversations c USING jsonb_to_recordset($1::jsonb) AS r(line text, chat text) ' +
  'WHERE c.line = r.line AND c.chat = r.chat';

type Row = Record<string, unknown>;

/** Absent values are SQL NULL. */
function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

export function conversationRow(record: ConversationRecord): Row {
  return {
    line: record.line,
    chat: record.chat,
    participants: record.participants,
    display_name: orNull(record.displayName),
    is_group: orNull(record.isGroup),
    slack_channel: orNull(record.slackChannel),
    slack_thread: orNull(record.slackThread),
    discord_channel: orNull(record.discordChannel),
    discord_thread: orNull(record.discordThread),
    created_at: record.createdAt,
    last_activity_at: record.lastActivityAt,
  };
}

export function linkRow(link: MessageLink): Row {
  return {
    no: linkNumber(link.id),
    line: link.conversation.line,
    chat: link.conversation.chat,
    origin: link.origin,
    imessage_id: orNull(link.imessage?.id),
    imessage_guid: orNull(link.imessage?.guid),
    outbox_id: orNull(link.imessage?.outboxId),
    slack_channel: orNull(link.slack?.channel),
    slack_ts: orNull(link.slack?.ts),
    discord_channel: orNull(link.discord?.channel),
    discord_id: orNull(link.discord?.id),
    delivery: orNull(link.delivery),
    created_at: link.createdAt,
  };
}

export function journalRow(entry: JournalEntry): Row {
  return { seq: entry.seq, kind: entry.kind, payload: entry.payload, appended_at: entry.appendedAt };
}

export function effectRow(effect: Effect): Row {
  return {
    id: effect.id,
    lane: effect.lane,
    destination: effect.destination,
    op: effect.op,
    created_at: effect.createdAt,
    attempts: effect.attempts,
    attempted_at: orNull(effect.attemptedAt),
    not_before: orNull(effect.notBefore),
    progress: orNull(effect.progress),
    last_error: orNull(effect.lastError),
    dead_at: orNull(effect.deadAt),
  };
}

export function cursorRow(line: string, cursor: BackfillCursor): Row {
  return { line, last_sent_at: cursor.lastSentAt, last_message_id: orNull(cursor.lastMessageId) };
}

/** Rows as `SELECT *` returns them (bigint parsed as number), back into the store's shapes. */
export interface ConversationColumns {
  line: string;
  chat: string;
  participants: string[];
  display_name: string | null;
  is_group: boolean | null;
  slack_channel: string | null;
  slack_thread: string | null;
  discord_channel: string | null;
  discord_thread: string | null;
  created_at: number;
  last_activity_at: number;
}

export interface LinkColumns {
  no: number;
  line: string;
  chat: string;
  origin: MessageLink['origin'];
  imessage_id: string | null;
  imessage_guid: string | null;
  outbox_id: string | null;
  slack_channel: string | null;
  slack_ts: string | null;
  discord_channel: string | null;
  discord_id: string | null;
  delivery: MessageLink['delivery'] | null;
  created_at: number;
}

export interface JournalColumns {
  seq: number;
  kind: string;
  payload: unknown;
  appended_at: number;
}

export interface EffectColumns {
  id: number;
  lane: string;
  destination: string;
  op: unknown;
  created_at: number;
  attempts: number;
  attempted_at: number | null;
  not_before: number | null;
  progress: number | null;
  last_error: Effect['lastError'] | null;
  dead_at: number | null;
}

/** Drops the keys whose value is null or undefined. */
function present<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function linkFromRow(row: LinkColumns, id: string): MessageLink {
  const imessage = present({ id: row.imessage_id, guid: row.imessage_guid, outboxId: row.outbox_id });
  return {
    id,
    conversation: { line: row.line, chat: row.chat },
    origin: row.origin,
    ...(Object.keys(imessage).length > 0 && { imessage: imessage as MessageLink['imessage'] }),
    ...(row.slack_channel !== null &&
      row.slack_ts !== null && { slack: { channel: row.slack_channel, ts: row.slack_ts } }),
    ...(row.discord_channel !== null &&
      row.discord_id !== null && { discord: { channel: row.discord_channel, id: row.discord_id } }),
    createdAt: row.created_at,
    ...(row.delivery !== null && { delivery: row.delivery }),
  };
}

export function effectFromRow(row: EffectColumns): Effect {
  return present({
    id: row.id,
    lane: row.lane,
    destination: row.destination,
    op: row.op,
    createdAt: row.created_at,
    attempts: row.attempts,
    attemptedAt: row.attempted_at,
    notBefore: row.not_before,
    progress: row.progress,
    lastError: row.last_error,
    deadAt: row.dead_at,
  }) as Effect;
}
