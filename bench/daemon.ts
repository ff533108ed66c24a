/**
 * The real daemon as a child process, run as `npm start` runs it from a clone: `node <npm start's flags>
 * bin/threadline.js start --config <dir>/threadline.yaml`, with the store under `dir` (bin/threadline.js runs
 * dist/ when built, else the sources compiled by esbuild, without a module loader). Ready means `GET /readyz`
 * answers 200 (every configured platform connected).
 *
 * For comparison only, `compiled: true` runs the same code compiled by tsc, as the Docker image runs it; see
 * `buildCompiled`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, rssMb, sleep, spawnTs, type Child } from './child.js';

/** The node flags of `npm start` (package.json), which the Docker image runs with too. */
const daemonNodeFlags: readonly string[] = (() => {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts;
  return scripts.start.split(' ').filter((word) => word.startsWith('--'));
})();

/** Where `buildCompiled` puts the compiled daemon (under node_modules, so its imports resolve; ignored by git). */
export const compiledDir = join(repoRoot, 'node_modules/.cache/threadline-bench-dist');
let built: Promise<void> | undefined;

/** Compiles src, bridges and sandbox with tsc into `compiledDir` (once per process). */
export function buildCompiled(): Promise<void> {
  built ??= (async () => {
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', compiledDir, '--sourceMap', 'false'],
      {
        cwd: repoRoot,
      },
    );
    await writeFile(join(compiledDir, 'package.json'), '{"type":"module"}\n');
  })();
  return built;
}

export interface Daemon {
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readonly readyMs: number;
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
  readonly process: Child;
  /** Current RSS in MB. */
  rssMb(): number;
  /** Sum of a Prometheus gauge or counter over its series (NaN when absent or unreachable). */
  metric(name: string): Promise<number>;
  /** SIGTERM (the daemon drains and exits 0), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts the daemon with `config` (YAML) written to `dir`, on `port`, and waits for /readyz. */
export async function startDaemon(options: {
  config: string;
  dir: string;
  port: number;
  readyTimeoutMs?: number;
  /** Run the tsc output of `buildCompiled()` instead of bin/threadline.js. */
  compiled?: boolean;
}): Promise<Daemon> {
  const configPath = join(options.dir, 'threadline.yaml');
  await writeFile(configPath, options.config);
  const spawnedAt = performance.now();
  const args = ['start', '--config', configPath];
  // The node flags `npm start` and the Docker image run the daemon with.
  const child = options.compiled
    ? spawnTs(join(compiledDir, 'src/app/main.js'), args, options.dir, false, daemonNodeFlags)
    : spawnTs(join(repoRoot, 'bin/threadline.js'), args, options.dir, false, daemonNodeFlags);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = spawnedAt + (options.readyTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`daemon exited (${exitCode}) before ready:\n${child.tail()}`);
    if (performance.now() > deadline) {
      await child.stop(2_000);
      throw new Error(`daemon not ready in time:\n${child.tail()}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  const readyMs = performance.now() - spawnedAt;
  return {
    url,
    pid: child.pid,
    readyMs,
    spawnedAt,
    process: child,
    rssMb: () => rssMb(child.pid),
    metric: (name) => readMetric(url, name),
    stop: (graceMs) => child.stop(graceMs),
  };
}

async function readMetric(url: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    let sum = 0;
    let seen = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) {
        sum += value;
        seen = true;
      }
    }
    return seen ? sum : NaN;
  } catch {
    return NaN;
  }
}
