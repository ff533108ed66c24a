/**
 * Store benchmark (not a test): `node --import tsx bench/store.ts`.
 *
 * For a small store (1k conversations, 10k links) and a large one (100k conversations, 1M links) it
 * measures start-up (open) time, RSS after open, and the latency of one commit holding a conversation
 * update plus a link insert: with the default 5 ms group-commit window (what a caller waits) and with
 * no window (the I/O alone). Each measurement runs in a fresh child process, so RSS is that of a
 * process that only opened the store. It also counts, per commit, the log appends and the shard and
 * manifest files written by checkpoints (in the background, while the commits go on), and after the commits
 * times one link lookup and reads RSS again (the link indexes are built in the background after open). Goals:
 * p99(large)/p99(small) within 2x, open under 2 s, RSS under 400 MB.
 *
 * `--quick`: 1k and 10k conversations, 200 commits each (a smoke run). The last line printed is JSON with every
 * figure (`{"store": [...]}`), which `npm run bench` reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLowdbStore } from '../src/store/lowdb-store.js';
import type { Store } from '../src/store/store.js';

interface Scale {
  readonly name: string;
  readonly conversations: number;
  readonly linksPerConversation: number;
}

interface Measurement {
  readonly openMs: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Log appends per commit. */
  readonly appends: number;
  /** Shard and manifest files written per commit (by checkpoints). */
  readonly files: number;
  /**
   * One link lookup after the commits, when the link indexes (built in the background after open) are
   * complete, and RSS after it.
   */
  readonly lookupMs: number;
  readonly rssAfterLookupMb: number;
}

const quick = process.argv.includes('--quick');
const SCALES: readonly Scale[] = [
  { name: '1k conv / 10k links', conversations: 1_000, linksPerConversation: 10 },
  quick
    ? { name: '10k conv / 100k links', conversations: 10_000, linksPerConversation: 10 }
    : { name: '100k conv / 1M links', conversations: 100_000, linksPerConversation: 10 },
];
const SAMPLES = quick ? 200 : 1_000;
const CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '112233445566778899';

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');
const keyOf = (i: number) => ({ line: `+1555${String(i % 50).padStart(7, '0')}`, chat: `cht_${hex(i, 16)}` });

function linkInput(conversation: number, n: number) {
  return {
    conversation: keyOf(conversation),
    origin: 'imessage' as const,
    delivery: 'sent' as const,
    imessage: {
      id: `msg_${hex(n, 24)}`,
      guid: `${hex(n, 8).toUpperCase()}-6C2B-4E1A-9F3D-${hex(n, 12).toUpperCase()}`,
    },
    slack: { channel: CHANNEL, ts: `${1_700_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}` },
    ...(n % 2 === 0 && { discord: { channel: DISCORD_CHANNEL, id: String(1_200_000_000_000_000_000n + BigInt(n)) } }),
  };
}

/** Fills a new store through its API, committing in big batches. */
async function populate(path: string, scale: Scale): Promise<number> {
  const started = performance.now();
  const store = await openLowdbStore({ path, pruneIntervalMs: 0 });
  let n = 0;
  for (let c = 0; c < scale.conversations; c++) {
    store.conversations.upsert(keyOf(c), {
      participants: [keyOf(c).line.replace('+1555', '+1666')],
      threads: { slack: { channel: CHANNEL, thread: `${1_600_000_000 + c}.000100` } },
    });
    for (let l = 0; l < scale.linksPerConversation; l++) store.links.create(linkInput(c, n++));
    if (c % 5_000 === 4_999) await store.commit();
  }
  await store.close();
  return performance.now() - started;
}

/** Child process: open the store, report open time and RSS, then time commits. */
async function measure(path: string, conversations: number, windowMs: number): Promise<Measurement> {
  let appends = 0;
  let files = 0;
  const onFileWrite = (name: string) => (name.startsWith('wal-') ? appends++ : files++);
  const started = performance.now();
  const store: Store = await openLowdbStore({ path, pruneIntervalMs: 0, commitWindowMs: windowMs, onFileWrite });
  const openMs = performance.now() - started;
  [appends, files] = [0, 0];
  const { rss, heapUsed } = process.memoryUsage();
  const latencies: number[] = [];
  let n = 10_000_000;
  for (let i = 0; i < SAMPLES + 50; i++) {
    const c = Math.floor(Math.random() * conversations);
    const t0 = performance.now();
    store.conversations.upsert(keyOf(c), { lastActivityAt: Date.now() });
    store.links.create(linkInput(c, n++));
    await store.commit();
    if (i >= 50) latencies.push(performance.now() - t0);
  }
  const commits = SAMPLES + 50;
  const perCommit = { appends: appends / commits, files: files / commits };
  const lookupStarted = performance.now();
  store.links.findByIMessageId(linkInput(0, 0).imessage.id);
  const lookupMs = performance.now() - lookupStarted;
  const rssAfterLookupMb = process.memoryUsage().rss / 2 ** 20;
  await store.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const heapMb = heapUsed / 2 ** 20;
  return {
    openMs,
    rssMb: rss / 2 ** 20,
    heapMb,
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    ...perCommit,
    lookupMs,
    rssAfterLookupMb,
  };
}

function runChild(path: string, conversations: number, windowMs: number): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      self,
      '--measure',
      path,
      String(conversations),
      String(windowMs),
      ...(quick ? ['--quick'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`measure child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as Measurement;
}

async function main(): Promise<void> {
  const rows: { scale: Scale; populateMs: number; byWindow: Measurement; noWindow: Measurement }[] = [];
  for (const scale of SCALES) {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-bench-'));
    try {
      const path = join(dir, 'threadline.json');
      const populateMs = await populate(path, scale);
      // Let the kernel write back what populating dirtied, so it does not compete with the measurement.
      spawnSync('sync');
      const byWindow = runChild(path, scale.conversations, 5);
      const noWindow = runChild(path, scale.conversations, 0);
      rows.push({ scale, populateMs, byWindow, noWindow });
      console.log(`${scale.name}: populated through the store API in ${(populateMs / 1000).toFixed(1)} s`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const f = (value: number, digits = 2) => value.toFixed(digits).padStart(8);
  console.log(
    `${'store'.padEnd(22)}${'open ms'.padStart(9)}${'RSS MB'.padStart(9)}${'heap MB'.padStart(9)}` +
      ` | ${'window 5 ms: p50'.padStart(16)}${'p99'.padStart(8)} | ${'no window: p50'.padStart(14)}${'p99'.padStart(8)}${'max'.padStart(8)}` +
      ` | ${'appends/commit'.padStart(14)}${'files/commit'.padStart(13)}`,
  );
  for (const { scale, byWindow: w, noWindow: n } of rows) {
    console.log(
      `${scale.name.padEnd(22)} ${f(w.openMs, 0)} ${f(w.rssMb, 0)} ${f(w.heapMb, 0)}` +
        ` | ${f(w.p50).padStart(16)}${f(w.p99)} | ${f(n.p50).padStart(14)}${f(n.p99)}${f(n.max)}` +
        ` | ${f(n.appends).padStart(14)}${f(n.files).padStart(13)}`,
    );
  }
  for (const { scale, byWindow: w } of rows) {
    console.log(
      `${scale.name}: a link lookup after the commits took ${w.lookupMs.toFixed(2)} ms; RSS then ${w.rssAfterLookupMb.toFixed(0)} MB`,
    );
  }
  console.log(`load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} CPUs`);
  const [small, large] = rows;
  if (small && large) {
    console.log(
      `p99 ratio large/small: ${(large.byWindow.p99 / small.byWindow.p99).toFixed(2)} (window 5 ms), ` +
        `${(large.noWindow.p99 / small.noWindow.p99).toFixed(2)} (no window); goal <= 2`,
    );
  }
  const figures = rows.map(({ scale, populateMs, byWindow, noWindow }) => ({
    name: scale.name,
    conversations: scale.conversations,
    populateMs,
    openMs: byWindow.openMs,
    rssMb: byWindow.rssMb,
    p50Window: byWindow.p50,
    p99Window: byWindow.p99,
    p50NoWindow: noWindow.p50,
    p99NoWindow: noWindow.p99,
  }));
  console.log(JSON.stringify({ store: figures }));
}

if (process.argv[2] === '--measure') {
  const [path = '', conversations = '0', windowMs = '5'] = process.argv.slice(3);
  console.log(JSON.stringify(await measure(path, Number(conversations), Number(windowMs))));
} else {
  await main();
}
