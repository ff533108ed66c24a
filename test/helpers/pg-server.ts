import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** The PostgreSQL server tests use (trust auth, database `test`); PG_TEST_URL overrides it. */
export const pgTestUrl = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<string | undefined> | undefined;

/** Undefined when the server answers; otherwise why not, for a test's skip message. */
export function pgUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: pgTestUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `no PostgreSQL server at ${pgTestUrl} (${error instanceof Error ? error.message : String(error)}); .ci/run starts one`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A fresh schema name per test, so runs never see each other's data. */
export function freshSchema(prefix = 'tl'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgTestUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
