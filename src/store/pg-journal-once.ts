import type pg from 'pg';
import { pgJson } from './pg-sql.js';
import type { JournalEntry, JournalInput } from './store.js';

/** The channel a replica notifies when it journaled something, so the sender plans it at once. */
export const JOURNAL_CHANNEL = 'threadline_journal';

/**
 * Journals `input` unless one of `keys` was already claimed and has not expired, in one transaction, so
 * the same delivery arriving at two replicas at once is journaled once: the second claim waits on the
 * first's row lock and then finds it taken. Returns the entry, or undefined for a duplicate (answered only
 * once the claim that holds the original is committed). Keys are claimed in order, all or none.
 */
export async function journalOnce(
  pool: pg.Pool,
  keys: readonly string[],
  input: JournalInput,
  options: { ttlMs: number; now: number },
): Promise<JournalEntry | undefined> {
  if (JSON.stringify(input.payload) === undefined)
    throw new TypeError('Expected a journal payload that JSON can represent');
  const payload = pgJson(input.payload);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    for (const key of keys) {
      const claimed = await client.query(
        'INSERT INTO dedupe (key, expires_at) VALUES ($1, $2) ' +
          'ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE dedupe.expires_at <= $3 RETURNING key',
        [key, options.now + options.ttlMs, options.now],
      );
      if (claimed.rowCount === 0) {
        // Keys before this one stay claimed, as the embedded store's ingress leaves them.
        await client.query('COMMIT');
        return undefined;
      }
    }
    const { rows } = await client.query<{ seq: number }>(
      'INSERT INTO journal (kind, payload, appended_at) VALUES ($1, $2::jsonb, $3) RETURNING seq',
      [input.kind, payload, options.now],
    );
    const seq = rows[0]!.seq;
    await client.query('SELECT pg_notify($1, $2)', [JOURNAL_CHANNEL, String(seq)]);
    await client.query('COMMIT');
    return { seq, kind: input.kind, payload: JSON.parse(payload) as unknown, appendedAt: options.now };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Ingress for a replica that is not the sender: journals deliveries straight into the database, holding
 * nothing else in memory (the sender plans them).
 */
export class PgIngress {
  readonly #pool: pg.Pool;
  readonly #now: () => number;

  constructor(pool: pg.Pool, now: () => number = Date.now) {
    this.#pool = pool;
    this.#now = now;
  }

  async journalOnce(keys: readonly string[], input: JournalInput, ttlMs: number): Promise<number | undefined> {
    return (await journalOnce(this.#pool, keys, input, { ttlMs, now: this.#now() }))?.seq;
  }
}
