/**
 * Webhook ingest with the embedded store and with replicas on PostgreSQL, in the same run on the same machine:
 * the same closed loop (signed `message.received` deliveries from `contacts` distinct chats on a line routed to
 * Slack and Discord, as bench/ingest.ts sends them) against
 *
 *   1. one daemon on the embedded store (a fresh temp dir);
 *   2. one replica on PostgreSQL (a fresh schema; it is the sender);
 *   3. two replicas on PostgreSQL (a fresh schema; A starts and is ready, then B, ready as a standby): the callers
 *      are split between A's and B's webhook URLs, two closed loops at once; acked/s is their sum, and the
 *      latency percentiles are the worse of the two (load.ts keeps no samples to merge).
 *
 * Each variant gets fresh simulators and stores; the sender does its real work meanwhile (posts to the Slack and
 * Discord simulators, limits on), so a backlog builds as in the ingest group. The PostgreSQL server is the one the
 * tests use (test/helpers/pg-server.ts, `PG_TEST_URL` overrides it); when it does not answer, only the embedded row
 * is measured. In the table, the "ratio to floor" column of the PostgreSQL rows is the ratio to the embedded figure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema, pgTestUrl, pgUnavailable } from '../test/helpers/pg-server.js';
import { cpuSeconds, freePort, sleep } from './child.js';
import { startDaemon, type Daemon } from './daemon.js';
import { closedLoop, deliveryFactory, type LoadResult } from './load.js';
import { withFloor, type GroupResult, type Row } from './table.js';
import { discordChannelId, lineHandle, slackChannelId, startWorld, webhookSecret } from './world.js';

type Say = (line: string) => void;

interface Params {
  readonly contacts: number;
  readonly concurrency: number;
  readonly closedSeconds: number;
  readonly warmupSeconds: number;
}

/** One variant's closed loop (combined over its replicas) and what else was seen. */
interface VariantResult {
  readonly closed: LoadResult;
  /** Per replica (A, B…), when there are several. */
  readonly perReplica: readonly LoadResult[];
  readonly roles: readonly string[];
  readonly readySeconds: readonly number[];
  /** CPU use (cores) of the daemons together, and of this process, during the closed loop. */
  readonly serverCores: number;
  readonly benchCores: number;
  readonly pendingAfter: number;
  readonly deliveriesSent: number;
}

export async function runReplicas(options: { quick: boolean; say: Say }): Promise<GroupResult> {
  const params: Params = {
    contacts: 1_000,
    concurrency: 16,
    closedSeconds: options.quick ? 3 : 10,
    warmupSeconds: options.quick ? 1 : 2,
  };
  options.say(
    `replicas: ${JSON.stringify(params)}; closed loop against the embedded store, then PostgreSQL with 1 replica, ` +
      `then 2 replicas (callers split between them)`,
  );
  const pgReason = await pgUnavailable();
  const extra: Record<string, number | string> = {};

  const embedded = await runVariant({ name: 'embedded', replicas: 1, pg: false, params, say: options.say });
  const rows: Row[] = [
    {
      key: 'replicas.ingest.embedded',
      figure: 'ingest closed loop, embedded store, 1 process: acked/s',
      value: embedded.closed.perSecond,
      unit: '/s',
      digits: 0,
    },
  ];
  Object.assign(extra, details('embedded', embedded));

  if (pgReason !== undefined) {
    options.say(`replicas: PostgreSQL rows skipped: ${pgReason}`);
    extra['replicas.pg.unavailable'] = pgReason;
    return { rows, extra };
  }

  const variants = [
    { name: 'pg1', replicas: 1, figure: 'ingest closed loop, PostgreSQL, 1 replica: acked/s' },
    { name: 'pg2', replicas: 2, figure: 'ingest closed loop, PostgreSQL, 2 replicas: acked/s' },
  ] as const;
  for (const variant of variants) {
    await sleep(1_000);
    let value = NaN;
    try {
      const result = await runVariant({
        name: variant.name,
        replicas: variant.replicas,
        pg: true,
        params,
        say: options.say,
      });
      value = result.closed.perSecond;
      Object.assign(extra, details(variant.name, result));
      extra[`replicas.ingest.${variant.name}.ratioToEmbedded`] = value / embedded.closed.perSecond;
    } catch (error) {
      // The row stays (NaN: not measured), so the embedded figure and the other variant are not lost.
      const message = error instanceof Error ? error.message : String(error);
      options.say(`replicas: ${variant.name} failed: ${message}`);
      extra[`replicas.ingest.${variant.name}.failed`] = message.split('\n')[0]!;
    }
    rows.push({
      key: `replicas.ingest.${variant.name}`,
      figure: variant.figure,
      value,
      unit: '/s',
      digits: 0,
      floor: withFloor(value, embedded.closed.perSecond, '/s'),
    });
  }
  return { rows, extra };
}

/** Starts the variant's daemons (fresh simulators, store and schema), runs the closed loop, stops everything. */
async function runVariant(options: {
  name: string;
  replicas: number;
  pg: boolean;
  params: Params;
  say: Say;
}): Promise<VariantResult> {
  const { name, replicas, params, say } = options;
  const line = lineHandle(6, 1);
  const slackChannel = slackChannelId(6, 1);
  const discordChannel = discordChannelId(6, 1);
  const world = await startWorld({ lines: [{ handle: line, slack: slackChannel, discord: discordChannel }] });
  const schema = options.pg ? freshSchema('bench') : undefined;
  const dirs: string[] = [];
  const daemons: Daemon[] = [];
  try {
    // One after the other: with PostgreSQL the first becomes the sender, the next a standby (ready = takes ingress).
    for (let i = 0; i < replicas; i++) {
      const dir = await mkdtemp(join(tmpdir(), `threadline-bench-replicas-${name}-`));
      dirs.push(dir);
      const port = await freePort();
      const store = schema ? { pg: { url: pgTestUrl, schema } } : { storePath: join(dir, 'threadline.json') };
      daemons.push(await startDaemon({ config: world.config({ ...store, port }), dir, port }));
    }
    const roles = await Promise.all(daemons.map((daemon) => replicaRole(daemon.url)));
    say(
      `replicas: ${name}: ${daemons
        .map((daemon, i) => `${'AB'[i] ?? i} ready in ${(daemon.readyMs / 1000).toFixed(2)} s (${roles[i]})`)
        .join(', ')}${schema ? `, schema ${schema}` : ''}`,
    );
    if (schema && roles[0] !== 'sender') say(`replicas: ${name}: warning: A is ${roles[0]}, expected sender`);
    if (schema && roles.slice(1).some((role) => role !== 'standby')) {
      say(`replicas: ${name}: warning: expected the other replicas to be standbys (${roles.join(', ')})`);
    }
    await world.registerWebhooks(daemons[0]!.url);

    const factory = deliveryFactory({ secret: webhookSecret, line, contacts: params.contacts });
    // The callers split as evenly as they go; the first replicas take the remainder.
    const callers = daemons.map(
      (_, i) => Math.floor(params.concurrency / replicas) + (i < params.concurrency % replicas ? 1 : 0),
    );
    const server0 = daemons.map((daemon) => cpuSeconds(daemon.pid));
    const [self0, t0] = [process.cpuUsage(), performance.now()];
    const perReplica = await Promise.all(
      daemons.map((daemon, i) =>
        closedLoop({
          url: daemon.url,
          factory,
          concurrency: callers[i]!,
          warmupMs: params.warmupSeconds * 1000,
          durationMs: params.closedSeconds * 1000,
        }),
      ),
    );
    const wall = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const serverCores = daemons.reduce((sum, daemon, i) => sum + cpuSeconds(daemon.pid) - server0[i]!, 0) / wall;
    const benchCores = (self.user + self.system) / 1e6 / wall;
    const closed = combine(perReplica);
    const pendingAfter = await daemons[0]!.metric('threadline_effects_pending');
    say(
      `replicas: ${name} closed: ${describe(closed)} (server ${serverCores.toFixed(2)} cores, bench process ` +
        `${benchCores.toFixed(2)} cores; ${pendingAfter} effects pending after)`,
    );
    if (perReplica.length > 1) {
      perReplica.forEach((result, i) =>
        say(`replicas: ${name}   ${'AB'[i] ?? i} (${callers[i]} callers): ${describe(result)}`),
      );
    }
    return {
      closed,
      perReplica: perReplica.length > 1 ? perReplica : [],
      roles,
      readySeconds: daemons.map((daemon) => daemon.readyMs / 1000),
      serverCores,
      benchCores,
      pendingAfter,
      deliveriesSent: factory.count,
    };
  } finally {
    // Standbys first, the sender last (so no standby takes over meanwhile).
    for (const daemon of [...daemons].reverse()) await daemon.stop();
    await world.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    if (schema) {
      await dropSchema(schema).catch((error: unknown) =>
        say(`replicas: could not drop schema ${schema}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }
}

/** The replica's role from /readyz (`sender`/`standby`; `single` without PostgreSQL). */
async function replicaRole(url: string): Promise<string> {
  try {
    const body = (await (await fetch(`${url}/readyz`)).json()) as { replica?: { role?: string } };
    return body.replica?.role ?? 'single';
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Closed loops run at the same time: counts and rates add up; each percentile is the worse of the loops'. */
function combine(results: readonly LoadResult[]): LoadResult {
  if (results.length === 1) return results[0]!;
  const worst = (pick: (result: LoadResult) => number) => Math.max(...results.map(pick));
  return {
    acked: results.reduce((sum, result) => sum + result.acked, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    errorStatuses: results
      .map((result) => result.errorStatuses)
      .filter(Boolean)
      .join(' '),
    seconds: worst((result) => result.seconds),
    perSecond: results.reduce((sum, result) => sum + result.perSecond, 0),
    p50: worst((result) => result.p50),
    p99: worst((result) => result.p99),
    max: worst((result) => result.max),
  };
}

function details(name: string, result: VariantResult): Record<string, number | string> {
  const key = `replicas.ingest.${name}`;
  const figures: Record<string, number | string> = {
    [`${key}.p50`]: result.closed.p50,
    [`${key}.p99`]: result.closed.p99,
    [`${key}.max`]: result.closed.max,
    [`${key}.acked`]: result.closed.acked,
    [`${key}.errors`]: result.closed.errors,
    [`${key}.errorStatuses`]: result.closed.errorStatuses,
    [`${key}.serverCores`]: result.serverCores,
    [`${key}.benchCores`]: result.benchCores,
    [`${key}.pendingEffectsAfter`]: result.pendingAfter,
    [`${key}.deliveriesSent`]: result.deliveriesSent,
    [`${key}.roles`]: result.roles.join(','),
    [`${key}.readySeconds`]: result.readySeconds.map((seconds) => seconds.toFixed(2)).join(','),
  };
  result.perReplica.forEach((replica, i) => {
    const at = `${key}.${'ab'[i] ?? i}`;
    figures[`${at}.ackedPerSecond`] = replica.perSecond;
    figures[`${at}.p50`] = replica.p50;
    figures[`${at}.p99`] = replica.p99;
    figures[`${at}.errors`] = replica.errors;
  });
  return figures;
}

function describe(result: LoadResult): string {
  return (
    `${result.perSecond.toFixed(0)}/s acked, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
    `, max ${result.max.toFixed(1)} ms, ${result.errors} errors${result.errors > 0 ? ` (${result.errorStatuses})` : ''}`
  );
}
