import { ConversationRecord } from './conversation-record.js';
import { migrate } from './pg-migrations.js';
import { linkNumber } from './pg-rows.js';
import {
  conversationRow,
  conversationShape,
  cursorRow,
  cursorShape,
  dedupeShape,
  effectRow,
  effectShape,
  journalRow,
  journalShape,
  linkRow,
  linkShape,
  pgJson,
  upsertSql,
  type TableShape,
} from './pg-sql.js';
import { createPgPool, redactedUrl, type PgConnectionOptions } from './pg-store.js';
import { StoreError } from './store-error.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportRecord } from './store-export.js';
import type { Conversation } from './store.js';

/** Rows per INSERT: one JSON parameter each, far below PostgreSQL's limits. */
const BATCH = 1000;

export interface ImportResult {
  /** Rows written per table. */
  readonly rows: Readonly<Record<ExportRecord['table'], number>>;
}

const shapes: Record<ExportRecord['table'], TableShape> = {
  conversations: conversationShape,
  links: linkShape,
  journal: journalShape,
  effects: effectShape,
  dedupe: dedupeShape,
  cursors: cursorShape,
};

function recordOf(conversation: Conversation): ConversationRecord {
  return new ConversationRecord(
    conversation.key.line,
    conversation.key.chat,
    conversation.participants,
    conversation.displayName,
    conversation.isGroup,
    conversation.threads.slack?.channel,
    conversation.threads.slack?.thread,
    conversation.threads.discord?.channel,
    conversation.threads.discord?.thread,
    conversation.createdAt,
    conversation.lastActivityAt,
  );
}

function rowOf(record: ExportRecord): Record<string, unknown> {
  switch (record.table) {
    case 'conversations':
      return conversationRow(recordOf(record.row));
    case 'links':
      if (linkNumber(record.row.id) === undefined) throw new TypeError(`Unexpected link id ${record.row.id}`);
      return linkRow(record.row);
    case 'journal':
      return journalRow(record.row);
    case 'effects':
      return effectRow(record.row);
    case 'dedupe':
      return { key: record.row.key, expires_at: record.row.expiresAt };
    case 'cursors':
      return cursorRow(record.row.line, record.row.cursor);
  }
}

/**
 * Reads an export (`threadline store export`) into an empty PostgreSQL store, in one transaction: either
 * everything is there afterwards, or nothing. Ids, journal numbers and counters carry over, so pending
 * work resumes where it stopped. Refuses a database that already holds Threadline data
 * (`store_not_empty`) and input that is not an export (`TypeError` naming the line).
 */
export async function importIntoPg(options: PgConnectionOptions, lines: AsyncIterable<string>): Promise<ImportResult> {
  const pool = createPgPool({ ...options, poolSize: 1 });
  const client = await pool.connect().catch((error: unknown) => {
    throw new StoreError('store_io', `Could not reach PostgreSQL ${redactedUrl(options.url)}: ${String(error)}`, {
      cause: error,
    });
  });
  try {
    await migrate(client, options.schema === undefined ? {} : { schema: options.schema });
    await client.query('BEGIN');
    const held = await client.query<{ rows: number }>(
      'SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM links) + ' +
        '(SELECT count(*) FROM journal) + (SELECT count(*) FROM effects) AS rows',
    );
    if (Number(held.rows[0]?.rows) > 0) {
      throw new StoreError(
        'store_not_empty',
        `The PostgreSQL store ${redactedUrl(options.url)} already holds conversations, links or work: ` +
          'import into an empty database (or schema) only',
      );
    }
    const counts: Record<ExportRecord['table'], number> = {
      conversations: 0,
      links: 0,
      journal: 0,
      effects: 0,
      dedupe: 0,
      cursors: 0,
    };
    const pending = new Map<ExportRecord['table'], Record<string, unknown>[]>();
    const flush = async (table: ExportRecord['table']) => {
      const rows = pending.get(table);
      if (!rows?.length) return;
      await client.query(upsertSql(shapes[table]), [pgJson(rows)]);
      counts[table] += rows.length;
      pending.set(table, []);
    };
    let lineNo = 0;
    let header = false;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const parsed = parseLine(line, lineNo);
      if (!header) {
        checkHeader(parsed, lineNo);
        header = true;
        continue;
      }
      const record = parsed as ExportRecord;
      if (!(record.table in shapes)) throw new TypeError(`Line ${lineNo} of the export names no table Threadline has`);
      const rows = pending.get(record.table) ?? [];
      rows.push(rowOf(record));
      pending.set(record.table, rows);
      if (rows.length >= BATCH) await flush(record.table);
    }
    if (!header) throw new TypeError('The export is empty: expected a threadline-store-export header line');
    for (const table of Object.keys(shapes) as ExportRecord['table'][]) await flush(table);
    // Numbers are never handed out twice: start after the highest imported.
    await client.query(
      "INSERT INTO counters (name, value) SELECT 'links_next', coalesce(max(no) + 1, 0) FROM links " +
        'ON CONFLICT (name) DO UPDATE SET value = GREATEST(counters.value, EXCLUDED.value)',
    );
    await client.query(
      "INSERT INTO counters (name, value) SELECT 'effects_next', coalesce(max(id) + 1, 1) FROM effects " +
        'ON CONFLICT (name) DO UPDATE SET value = GREATEST(counters.value, EXCLUDED.value)',
    );
    await client.query(
      "SELECT setval('journal_seq', (SELECT max(seq) FROM journal)) WHERE EXISTS (SELECT 1 FROM journal)",
    );
    await client.query('COMMIT');
    return { rows: counts };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}

function parseLine(line: string, lineNo: number): Record<string, unknown> {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new TypeError(`Line ${lineNo} of the export is not a JSON object`);
}

function checkHeader(header: Record<string, unknown>, lineNo: number): void {
  if (header['format'] !== EXPORT_FORMAT) {
    throw new TypeError(
      `Line ${lineNo} is not a threadline-store-export header: is this the output of threadline store export?`,
    );
  }
  if (header['version'] !== EXPORT_VERSION) {
    throw new TypeError(
      `The export is format version ${String(header['version'])}; this Threadline reads version ${EXPORT_VERSION}`,
    );
  }
}
