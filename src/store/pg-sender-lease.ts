import pg from 'pg';
import type { Logger } from 'pino';
import { pgClientConfig, redactedUrl, type PgConnectionOptions } from './pg-store.js';

/** Any 64-bit number unique to Threadline's sender role (the migration lock uses another). */
const SENDER_LOCK = 7_403_551_920_113_302;

export interface SenderLeaseOptions extends PgConnectionOptions {
  /** This replica's name, shown to operators (/readyz, /metrics, the `sender` table). */
  readonly replica: string;
  /** How often a replica that is not the sender tries to become it. @default 1000 */
  readonly tryEveryMs?: number;
  /** How often the sender checks that its lock connection is alive. @default 2000 */
  readonly checkEveryMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

/** The sender role, held: its epoch fences writes, `lost` settles when the role is gone. */
export interface SenderLease {
  /** Grows with every takeover; the store's commits check it (see PgStore's `fence`). */
  readonly epoch: number;
  /** Resolves (with why) when the lock connection is lost: the replica must stop sending at once. */
  readonly lost: Promise<Error>;
  /** Gives the role up (clean shutdown): another replica takes over within its try interval. */
  release(): Promise<void>;
}

/** Who holds the sender role, as the `sender` table says. */
export interface SenderInfo {
  readonly replica: string;
  readonly epoch: number;
  /** Unix ms of the takeover. */
  readonly since: number;
}

/**
 * Leadership by a PostgreSQL session advisory lock held on a dedicated connection: the server releases it
 * the moment that connection ends (the process died, or the network to it), so another replica takes
 * over within `tryEveryMs`. The takeover bumps an epoch in the same database, and every commit of the
 * sender checks it (fencing): a sender that was paused and lost its lock cannot commit, and an effect is
 * committed as attempted before its platform call, so it cannot call either.
 */
export async function acquireSenderLease(options: SenderLeaseOptions, signal?: AbortSignal): Promise<SenderLease> {
  for (let waited = false; ; waited = true) {
    signal?.throwIfAborted();
    const lease = await trySenderLease(options, waited);
    if (lease) return lease;
    await sleep(options.tryEveryMs ?? 1000, signal);
  }
}

/** One try for the sender role: the lease, or undefined when another replica holds it (or the database is away). */
export async function trySenderLease(options: SenderLeaseOptions, waited = false): Promise<SenderLease | undefined> {
  let client: pg.Client | undefined;
  try {
    client = await connect(options);
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [SENDER_LOCK]);
    if (rows[0]?.held) {
      const epoch = await takeOver(client, options.replica, (options.now ?? Date.now)());
      options.log?.info({ epoch, replica: options.replica, waited }, 'This replica is the sender');
      return holdLease(client, epoch, options);
    }
  } catch (error) {
    options.log?.warn({ err: error }, 'Could not try for the sender role; trying again');
  }
  await client?.end().catch(() => undefined);
  return undefined;
}

/** Who is the sender now, or undefined when no replica ever was. */
export async function readSender(pool: pg.Pool): Promise<SenderInfo | undefined> {
  const { rows } = await pool.query<{ replica: string; epoch: number; since: number }>(
    'SELECT replica, epoch, since FROM sender WHERE id = 1',
  );
  return rows[0];
}

async function connect(options: SenderLeaseOptions): Promise<pg.Client> {
  const client = new pg.Client(pgClientConfig(options));
  // Until the lease listens, a dropped connection must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`Could not reach PostgreSQL ${redactedUrl(options.url)}: ${String(error)}`, { cause: error });
  }
  return client;
}

async function takeOver(client: pg.Client, replica: string, now: number): Promise<number> {
  const { rows } = await client.query<{ epoch: number }>(
    'INSERT INTO sender (id, epoch, replica, since) VALUES (1, 1, $1, $2) ' +
      'ON CONFLICT (id) DO UPDATE SET epoch = sender.epoch + 1, replica = EXCLUDED.replica, since = EXCLUDED.since ' +
      'RETURNING epoch',
    [replica, now],
  );
  return rows[0]!.epoch;
}

function holdLease(client: pg.Client, epoch: number, options: SenderLeaseOptions): SenderLease {
  let settle!: (why: Error) => void;
  const lost = new Promise<Error>((resolve) => (settle = resolve));
  let released = false;
  const lose = (why: Error) => {
    if (released) return;
    released = true;
    clearInterval(check);
    options.log?.error({ err: why, epoch }, 'Lost the sender role');
    settle(why);
    void client.end().catch(() => undefined);
  };
  client.on('error', (error) => lose(error));
  client.on('end', () => lose(new Error('The sender lock connection ended')));
  const check = setInterval(() => {
    client.query('SELECT 1').catch((error: unknown) => lose(error instanceof Error ? error : new Error(String(error))));
  }, options.checkEveryMs ?? 2000);
  check.unref();
  return {
    epoch,
    lost,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(check);
      await client.query('SELECT pg_advisory_unlock($1)', [SENDER_LOCK]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
