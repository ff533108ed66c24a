import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config-schema.js';
import { BridgeError } from '../../core/errors.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import { importIntoPg } from '../../store/pg-import.js';
import { PgStore, redactedUrl } from '../../store/pg-store.js';
import { exportLines } from '../../store/store-export.js';
import type { Store } from '../../store/store.js';
import { exitCodes, type ExitCode } from './exit-codes.js';

export type StoreAction = 'export' | 'import';

interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  complain(text: string): void;
}

/**
 * `threadline store export` writes the configured store (lowdb or PostgreSQL) to stdout as JSON lines;
 * `threadline store import` reads such lines from stdin into the configured PostgreSQL store, which must
 * be empty. Together: `threadline -c lowdb.yaml store export | threadline -c pg.yaml store import`, with
 * the daemon stopped (the embedded store's lock refuses a running one).
 */
export async function runStoreCommand(options: {
  config: Config;
  action: StoreAction;
  io: Io;
  log: Logger;
}): Promise<ExitCode> {
  const { config, action, io } = options;
  try {
    if (action === 'export') return await exportStore(config, io, options.log);
    if (config.store.url === undefined) {
      io.complain(
        'threadline store import: store.url is not set: the import goes into PostgreSQL (set store.url, e.g. ${DATABASE_URL})',
      );
      return exitCodes.badConfig;
    }
    // The iterator is taken now: readline drops the lines it reads before one exists, and the import
    // reads its first line only after connecting.
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
    const result = await importIntoPg(
      { url: config.store.url, ...(config.store.schema !== undefined && { schema: config.store.schema }) },
      { [Symbol.asyncIterator]: () => lines },
    );
    const counts = Object.entries(result.rows)
      .map(([table, rows]) => `${rows} ${table}`)
      .join(', ');
    io.complain(`Imported into ${redactedUrl(config.store.url)}: ${counts}.`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof TypeError || error instanceof BridgeError) {
      io.complain(`threadline store ${action}: ${error.message}`);
      return error instanceof TypeError ? exitCodes.badConfig : exitCodes.failure;
    }
    throw error;
  }
}

async function exportStore(config: Config, io: Io, log: Logger): Promise<ExitCode> {
  const store: Store =
    config.store.url === undefined
      ? await openLowdbStore({
          path: config.store.path,
          linkRetentionDays: config.store.retentionDays,
          pruneIntervalMs: 0,
          logger: log,
        })
      : await PgStore.open({
          url: config.store.url,
          ...(config.store.schema !== undefined && { schema: config.store.schema }),
          linkRetentionDays: config.store.retentionDays,
          pruneIntervalMs: 0,
          logger: log,
        });
  try {
    for (const line of exportLines(store)) {
      if (!io.stdout.write(`${line}\n`)) await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
  } finally {
    await store.close();
  }
  return exitCodes.ok;
}
