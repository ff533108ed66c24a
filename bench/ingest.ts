/**
 * Webhook ingest, and the daemon's memory. The daemon starts on a store seeded with 200 conversations; its RSS is
 * read as soon as /readyz answers 200 (Slack Socket Mode and the Discord gateway connected). Then signed
 * `message.received` deliveries from `contacts` distinct chats on a line routed to Slack and Discord go first to
 * the bare floor server (bench/floor.ts), then to the daemon: a closed loop (N callers back to back) and an open
 * loop (a fixed rate). The daemon does its real work meanwhile: every delivery is journaled and planned into a
 * Slack and a Discord post, and the simulators (limits on) take them at the platforms' rates, so a backlog
 * builds. Its RSS is read again after both runs. For comparison, the RSS at /readyz is also read from the same
 * daemon compiled by tsc (as the Docker image runs it), on a store seeded the same way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, freePort, sleep } from './child.js';
import { buildCompiled, startDaemon } from './daemon.js';
import { startFloor } from './floor.js';
import { closedLoop, deliveryFactory, openLoop, type LoadResult } from './load.js';
import { seedStore } from './seed.js';
import { atLeast, atMost, withFloor, type GroupResult } from './table.js';
import { discordChannelId, lineHandle, slackChannelId, startWorld, webhookSecret } from './world.js';

export async function runIngest(options: { quick: boolean; say: (line: string) => void }): Promise<GroupResult> {
  const params = {
    contacts: 1_000,
    seededConversations: 200,
    concurrency: 16,
    closedSeconds: options.quick ? 3 : 20,
    rate: 300,
    openSeconds: options.quick ? 3 : 20,
    warmupSeconds: options.quick ? 1 : 2,
  };
  options.say(`ingest: ${JSON.stringify(params)}; floor first (closed, open), then the daemon (closed, open)`);
  const line = lineHandle(2, 1);
  const slackChannel = slackChannelId(2, 1);
  const discordChannel = discordChannelId(2, 1);
  const world = await startWorld({ lines: [{ handle: line, slack: slackChannel, discord: discordChannel }] });
  const dir = await mkdtemp(join(tmpdir(), 'threadline-bench-ingest-'));
  const compiledStoreDir = await mkdtemp(join(tmpdir(), 'threadline-bench-ingest-js-'));
  const storePath = join(dir, 'threadline.json');
  const seed = { conversations: params.seededConversations, links: 10, line, slackChannel, discordChannel };
  await seedStore(storePath, seed);
  await seedStore(join(compiledStoreDir, 'threadline.json'), seed);
  const port = await freePort();

  // For comparison: the same daemon compiled by tsc and run by plain node (as in the Docker image).
  await buildCompiled();
  const compiled = await startDaemon({
    config: world.config({ storePath: join(compiledStoreDir, 'threadline.json'), port }),
    dir: compiledStoreDir,
    port,
    compiled: true,
  });
  const rssReadyCompiled = compiled.rssMb();
  await compiled.stop();
  await rm(compiledStoreDir, { recursive: true, force: true });

  const daemon = await startDaemon({ config: world.config({ storePath, port }), dir, port });
  const rssReady = daemon.rssMb();
  const heapReady = (await daemon.metric('threadline_nodejs_heap_size_used_bytes')) / 2 ** 20;
  options.say(
    `ingest: daemon ready in ${(daemon.readyMs / 1000).toFixed(2)} s, RSS ${rssReady.toFixed(1)} MB ` +
      `(heap used ${heapReady.toFixed(1)} MB); compiled by tsc: RSS ${rssReadyCompiled.toFixed(1)} MB`,
  );
  const floor = await startFloor(webhookSecret);
  try {
    await world.registerWebhooks(daemon.url);
    const factory = deliveryFactory({ secret: webhookSecret, line, contacts: params.contacts });
    /** CPU use (in cores) of the server and of this process (load generator + simulators) during `work`. */
    const cpu = async <T>(pid: number, work: () => Promise<T>) => {
      const [server0, self0, t0] = [cpuSeconds(pid), process.cpuUsage(), performance.now()];
      const result = await work();
      const wall = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      return {
        result,
        serverCores: (cpuSeconds(pid) - server0) / wall,
        benchCores: (self.user + self.system) / 1e6 / wall,
      };
    };
    const run = async (url: string, pid: number) => {
      const closedRun = await cpu(pid, () =>
        closedLoop({
          url,
          factory,
          concurrency: params.concurrency,
          warmupMs: params.warmupSeconds * 1000,
          durationMs: params.closedSeconds * 1000,
        }),
      );
      await sleep(1_000);
      const open = await openLoop({
        url,
        factory,
        rate: params.rate,
        warmupMs: params.warmupSeconds * 1000,
        durationMs: params.openSeconds * 1000,
      });
      const cores = `server ${closedRun.serverCores.toFixed(2)} cores, bench process ${closedRun.benchCores.toFixed(2)} cores`;
      return {
        closed: closedRun.result,
        open,
        cores,
        serverCores: closedRun.serverCores,
        benchCores: closedRun.benchCores,
      };
    };
    const floorRun = await run(floor.url, floor.process.pid);
    options.say(`ingest: floor  closed: ${describe(floorRun.closed)} (${floorRun.cores})`);
    options.say(`ingest: floor  open:   ${describe(floorRun.open)}`);
    await floor.process.stop();
    const daemonRun = await run(daemon.url, daemon.pid);
    options.say(`ingest: daemon closed: ${describe(daemonRun.closed)} (${daemonRun.cores})`);
    options.say(`ingest: daemon open:   ${describe(daemonRun.open)}`);
    const rssAfter = daemon.rssMb();
    const heapAfter = (await daemon.metric('threadline_nodejs_heap_size_used_bytes')) / 2 ** 20;
    const pending = await daemon.metric('threadline_effects_pending');
    options.say(`ingest: journal pending ${await daemon.metric('threadline_journal_pending')}`);
    options.say(
      `ingest: daemon RSS ${rssAfter.toFixed(1)} MB after (heap used ${heapAfter.toFixed(1)} MB); ` +
        `${pending} effects pending (the backlog)`,
    );
    const d = daemonRun;
    const f = floorRun;
    return {
      rows: [
        {
          key: 'ingest.closed.ackedPerSecond',
          figure: `ingest closed loop (${params.concurrency} callers): acked/s`,
          value: d.closed.perSecond,
          unit: '/s',
          digits: 0,
          floor: withFloor(d.closed.perSecond, f.closed.perSecond, '/s'),
          goal: atLeast(d.closed.perSecond / f.closed.perSecond, 0.25, '≥ 0.25× floor'),
        },
        {
          key: 'ingest.closed.p50',
          figure: 'ingest closed loop: ack p50',
          value: d.closed.p50,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.closed.p50, f.closed.p50, 'ms'),
        },
        {
          key: 'ingest.closed.p99',
          figure: 'ingest closed loop: ack p99',
          value: d.closed.p99,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.closed.p99, f.closed.p99, 'ms'),
        },
        {
          key: 'ingest.open.p50',
          figure: `ingest open loop (${params.rate}/s offered): ack p50`,
          value: d.open.p50,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.open.p50, f.open.p50, 'ms'),
        },
        {
          key: 'ingest.open.p99',
          figure: `ingest open loop (${params.rate}/s offered): ack p99`,
          value: d.open.p99,
          unit: 'ms',
          digits: 2,
          floor: withFloor(d.open.p99, f.open.p99, 'ms'),
          goal: atMost(d.open.p99, 20, '≤ 20 ms'),
        },
        {
          key: 'rss.ready',
          figure: `daemon RSS at /readyz, npm start (${params.seededConversations} conversations)`,
          value: rssReady,
          unit: 'MB',
          goal: atMost(rssReady, 120, '≤ 120 MB'),
        },
        {
          key: 'rss.readyCompiled',
          figure: 'same, compiled by tsc as in Docker (comparison)',
          value: rssReadyCompiled,
          unit: 'MB',
          goal: atMost(rssReadyCompiled, 120, '≤ 120 MB'),
        },
        {
          key: 'rss.afterIngest',
          figure: 'daemon RSS after the ingest runs',
          value: rssAfter,
          unit: 'MB',
          goal: atMost(rssAfter, 180, '≤ 180 MB'),
        },
      ],
      extra: {
        'ingest.closed.errors': d.closed.errors,
        'ingest.closed.acked': d.closed.acked,
        'ingest.closed.max': d.closed.max,
        'ingest.open.errors': d.open.errors,
        'ingest.open.errorStatuses': d.open.errorStatuses,
        'ingest.closed.errorStatuses': d.closed.errorStatuses,
        'ingest.open.acked': d.open.acked,
        'ingest.open.max': d.open.max,
        'ingest.open.senderLagP99': d.open.lagP99Ms,
        'ingest.closed.acksPerServerCpuSecond': d.closed.perSecond / d.serverCores,
        'ingest.floor.closed.acksPerServerCpuSecond': f.closed.perSecond / f.serverCores,
        'ingest.closed.serverCores': d.serverCores,
        'ingest.closed.benchCores': d.benchCores,
        'ingest.floor.closed.serverCores': f.serverCores,
        'ingest.floor.closed.benchCores': f.benchCores,
        'ingest.floor.closed.errors': f.closed.errors,
        'ingest.floor.open.errors': f.open.errors,
        'ingest.floor.open.senderLagP99': f.open.lagP99Ms,
        'ingest.deliveriesSent': factory.count,
        'ingest.pendingEffectsAfter': pending,
        'rss.heapUsedReadyMb': heapReady,
        'rss.heapUsedAfterIngestMb': heapAfter,
        'daemon.readySeconds': daemon.readyMs / 1000,
      },
    };
  } finally {
    await floor.process.stop();
    await daemon.stop();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function describe(result: LoadResult): string {
  return (
    `${result.perSecond.toFixed(0)}/s acked, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
    `, max ${result.max.toFixed(1)} ms, ${result.errors} errors${result.errors > 0 ? ` (${result.errorStatuses})` : ''}`
  );
}
