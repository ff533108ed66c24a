import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createApp, type App } from '../../src/app/app.js';
import { parseConfig } from '../../src/app/load-config.js';
import type { Config } from '../../src/app/config-schema.js';
import { captureLogs, type CapturedLine } from './log-capture.js';
import { storeConfig, type StoreKind } from './test-stores.js';

export interface RunningApp {
  readonly app: App;
  readonly url: string;
  readonly config: Config;
  readonly lines: CapturedLine[];
  readonly dir: string;
  /** Stops this app and starts a new one on the same store (a restart). */
  restart(): Promise<RunningApp>;
  /** Starts another app on the same config and store, named `replica` (PostgreSQL: a second replica). */
  twin(replica: string): Promise<RunningApp>;
}

/**
 * Starts the whole daemon in-process (port 0, store in a temp dir) from YAML, with captured logs.
 * Teardown is registered on `t`.
 */
export async function startApp(
  t: TestContext,
  yaml: string,
  options: {
    env?: Record<string, string>;
    dir?: string;
    pollScheduleMs?: number[];
    slackPingTimeoutMs?: number;
    drainTimeoutMs?: number;
    effectRetry?: { baseMs: number; capMs: number };
    degradedAfterMs?: number;
    reconcileWindowMs?: number;
    /** The store backend (default lowdb in the temp dir); a restart keeps the same store. */
    store?: StoreKind;
    /** Set by a restart: the store line of the run before. */
    storeLine?: string;
    /** With PostgreSQL: this replica's name. */
    replica?: string;
  } = {},
): Promise<RunningApp> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'threadline-app-')));
  const storeLine = options.storeLine ?? storeConfig(t, options.store ?? 'lowdb', dir);
  const config = parseConfig(
    `${yaml}\nserver: { host: 127.0.0.1, port: 0, bodyLimitBytes: 65536 }\n${storeLine}\n`,
    'test',
    options.env ?? {},
  );
  const { log, lines } = captureLogs('debug');
  const app = createApp(config, {
    log,
    ...(options.pollScheduleMs ? { pollScheduleMs: options.pollScheduleMs } : {}),
    ...(options.slackPingTimeoutMs ? { slackPingTimeoutMs: options.slackPingTimeoutMs } : {}),
    ...(options.drainTimeoutMs ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
    ...(options.effectRetry ? { effectRetry: options.effectRetry } : {}),
    ...(options.degradedAfterMs !== undefined ? { degradedAfterMs: options.degradedAfterMs } : {}),
    ...(options.reconcileWindowMs !== undefined ? { reconcileWindowMs: options.reconcileWindowMs } : {}),
    ...(options.replica !== undefined ? { replica: options.replica, senderTryEveryMs: 200 } : {}),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  t.after(stop);
  // After the store is flushed by stop (node:test runs after-hooks in the order they were added).
  if (!options.dir) t.after(() => rm(dir, { recursive: true, force: true }));
  const url = await app.start();
  return {
    app,
    url,
    config,
    lines,
    dir,
    async restart() {
      await stop();
      return startApp(t, yaml, { ...options, dir, storeLine });
    },
    twin(replica: string) {
      const { dir: _dir, ...rest } = options;
      return startApp(t, yaml, { ...rest, storeLine, replica });
    },
  };
}
