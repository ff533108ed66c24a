/**
 * Child processes of the benchmarks: spawning a TypeScript entry point with tsx, keeping the tail of its output,
 * reading its RSS from /proc, stopping it. The daemon, the floor server and the bare relay all run as children,
 * so their figures are not mixed with the load generator's or the simulators' work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const tsx = import.meta.resolve('tsx');
/** Bytes of stdout/stderr kept per child, for error messages. */
const TAIL_BYTES = 16_384;

export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The last lines it printed (stdout and stderr). */
  readonly tail: () => string;
  /** Resolves with the first stdout line that parses as a JSON object. */
  readonly firstJsonLine: Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Runs `node --import tsx <script> ...args` (plain `node` when `withTsx` is false) in `cwd`, keeping its output's tail. */
export function spawnTs(
  script: string,
  args: readonly string[],
  cwd = repoRoot,
  withTsx = true,
  nodeFlags: readonly string[] = [],
): Child {
  // BENCH_NODE_ARGS: extra flags for the child's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const extra = [...nodeFlags, ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...extra, ...(withTsx ? ['--import', tsx] : []), script, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
  };
  let resolveJson: (line: Record<string, unknown>) => void = () => {};
  const firstJsonLine = new Promise<Record<string, unknown>>((resolve) => (resolveJson = resolve));
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    keep(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        resolveJson(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a log line that is not whole JSON: not the one we wait for
      }
    }
  });
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pid = child.pid ?? -1;
  return {
    child,
    pid,
    exited,
    firstJsonLine,
    tail: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A child server that prints `{"port": N}` once listening: resolves with its URL, or fails with its output. */
export async function listeningUrl(child: Child, what: string, timeoutMs = 30_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${child.tail()}`)),
      timeoutMs,
    );
    void child.exited.then((code) => reject(new Error(`${what} exited (${code}) before listening:\n${child.tail()}`)));
  });
  try {
    const line = await Promise.race([child.firstJsonLine, failed]);
    return `http://127.0.0.1:${Number(line['port'])}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Resident set size of a process in MB (VmRSS from /proc/<pid>/status), or NaN when it cannot be read. */
export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the command), in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A TCP port that was free a moment ago (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `test` every `intervalMs` until it is true; false after `timeoutMs`. */
export async function until(test: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}
