/**
 * `npm run bench`: every benchmark in one run, one table (figure, value, goal, ratio to the floor, met?) and a
 * final JSON line with every figure. Benchmarks measure and print; they assert nothing.
 *
 *   npm run bench [-- --only rates,latency] [-- --quick]
 *
 * Groups (in order): store (bench/store.ts), rates (bench/rates.ts), ingest (bench/ingest.ts: ingest + RSS),
 * replicas (bench/replicas.ts: ingest with the embedded store vs. 1 and 2 replicas on PostgreSQL), latency
 * (bench/latency.ts), backlog (bench/backlog.ts). `--quick` runs each for a few seconds, to check the
 * harness. Where things run: the daemon (`node bin/threadline.js start`, as `npm start`), the floor server and the bare
 * relay are child processes; the load generator and the simulators of messages.dev, Slack and Discord run in
 * this process. The older send-queue benchmark runs on its own: `node --import tsx bench/queue.ts`.
 * `npm run soak` (bench/soak.ts) is separate.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runBacklog } from './backlog.js';
import { runIngest } from './ingest.js';
import { runLatency } from './latency.js';
import { runRates } from './rates.js';
import { runReplicas } from './replicas.js';
import { runStore } from './store-rows.js';
import { describeMachine, figuresJson, machine, renderTable, type GroupResult, type Row } from './table.js';

type Runner = (options: { quick: boolean; say: (line: string) => void }) => Promise<GroupResult>;
const groups: Record<string, Runner> = {
  store: runStore,
  rates: runRates,
  ingest: runIngest,
  replicas: runReplicas,
  latency: runLatency,
  backlog: runBacklog,
};

const { values } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
  allowPositionals: false,
});
const chosen = values.only ? values.only.split(',').map((name) => name.trim()) : Object.keys(groups);
const unknown = chosen.filter((name) => !(name in groups));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}
const quick = values.quick ?? false;
const say = (line: string) => console.log(line);
const started = performance.now();
const loadAtStart = loadavg().map((load) => load.toFixed(2));
say(describeMachine());
say(
  `where: daemon, floor server and bare relay = child processes; load generator and simulators (messages.dev, ` +
    `Slack, Discord) = this process (pid ${process.pid}); daemon run as npm start runs it (bin/threadline.js), log.level warn`,
);
say(`groups: ${chosen.join(', ')}${quick ? ' (quick smoke run: figures are not meaningful)' : ''}`);

const rows: Row[] = [];
const extra: Record<string, number | string> = {};
const failures: string[] = [];
for (const name of chosen) {
  const t0 = performance.now();
  say(`\n=== ${name} ===`);
  try {
    const result = await groups[name]!({ quick, say });
    rows.push(...result.rows);
    Object.assign(extra, result.extra ?? {});
  } catch (error) {
    failures.push(name);
    say(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    extra[`${name}.failed`] = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
  const seconds = (performance.now() - t0) / 1000;
  extra[`${name}.wallSeconds`] = seconds;
  say(`=== ${name}: ${seconds.toFixed(0)} s ===`);
}

const loadAtEnd = loadavg().map((load) => load.toFixed(2));
say(`\n${describeMachine()}`);
say(`load average at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}`);
say(`total ${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ' (quick)' : ''}`);
if (failures.length > 0) say(`groups that failed (no rows): ${failures.join(', ')}`);
say('');
say(renderTable(rows));
say('');
console.log(
  JSON.stringify({
    bench: { ...machine(), quick, groups: chosen, loadAtStart, loadAtEnd },
    figures: figuresJson(rows, extra),
  }),
);
process.exit(failures.length === 0 ? 0 : 1);
