import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Parsed JSON log lines printed so far. */
  readonly logLines: () => Record<string, unknown>[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  readonly dir: string;
}

/** Runs `threadline <args>` from source as a separate process, with a config file written to a temp dir. */
export async function runThreadline(options: {
  args: string[];
  config?: string;
  env?: Record<string, string>;
  /** Written to the process's stdin, which is then closed. */
  stdin?: string;
}): Promise<DaemonProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'threadline-'));
  const configPath = join(dir, 'threadline.yaml');
  if (options.config !== undefined) await writeFile(configPath, options.config);
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(root, 'src/app/main.ts'),
      ...options.args,
      ...(options.config !== undefined ? ['--config', configPath] : []),
    ],
    {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    },
  );
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.finally(() => rm(dir, { recursive: true, force: true }));
  return {
    child,
    dir,
    exited,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Waits for the daemon's "Threadline started" line and returns its URL. */
export async function startedUrl(daemon: DaemonProcess, timeoutMs = 15_000): Promise<string> {
  const line = await waitFor(() => daemon.logLines().find((entry) => entry['msg'] === 'Threadline started'), {
    timeoutMs,
    message: `daemon start (stderr: ${daemon.stderr()})`,
  });
  return String(line['url']);
}
