import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { exitCodes } from './cli/exit-codes.js';
import { parseCliArgs, queueActionOf, storeActionOf, UsageError, webhooksActionOf } from './cli/args.js';
import { runCheckCommand } from './cli/check.js';
import { usage, usageFor } from './cli/help.js';
import { runQueueCommand } from './cli/queue.js';
import { loadConfigForWebhooks } from './cli/webhooks-config.js';
import { runWebhooksCommand } from './cli/webhooks.js';
import { loadConfig } from './load-config.js';
import type { Config } from './config-schema.js';
import { BridgeError, ConfigError } from '../core/errors.js';
import { createLogger } from '../log.js';

/** The package version, found by walking up from this file (works from src/ and from dist/src/). */
function version(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'threadline' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
  }
  return 'unknown';
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function complain(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** The composition root: the only reader of `process.env` and argv. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    complain(`threadline: ${error.message}\n\n${usage}`);
    return exitCodes.badConfig;
  }
  if (args.command === 'version') {
    say(version());
    return exitCodes.ok;
  }
  if (args.command === 'help' || args.help) {
    say(usageFor(args));
    return exitCodes.ok;
  }
  if (args.command === 'demo') {
    const { runDemo } = await import('./demo/run-demo.js');
    const { defaultDemoPort } = await import('./demo/start-demo.js');
    // The demo embeds its own config, pointed at local simulators: no config file is read.
    const port = Number(env['THREADLINE_DEMO_PORT'] ?? defaultDemoPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      complain(`threadline demo: THREADLINE_DEMO_PORT must be a port number (0 for any free port)`);
      return exitCodes.badConfig;
    }
    return runDemo({ port, log: createLogger({ level: 'warn', destination: process.stderr }), say });
  }
  const configPath = args.configPath ?? env['THREADLINE_CONFIG'] ?? 'config/threadline.yaml';
  let config: Config;
  try {
    // `webhooks register` is how the webhook secret is obtained, so those commands run without it.
    const load = args.command === 'webhooks' ? loadConfigForWebhooks : loadConfig;
    config = await load({ path: configPath, env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.issues.length;
    complain(`threadline: ${configPath} cannot be used (${count} problem${count === 1 ? '' : 's'}):`);
    for (const issue of error.issues) complain(`  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    return exitCodes.badConfig;
  }
  const log = createLogger({ level: config.log.level });
  switch (args.command) {
    case 'start':
      return runDaemon(config, log);
    case 'check':
      return runCheckCommand({ config, source: configPath, out: { say, complain }, width: process.stdout.columns });
    case 'webhooks': {
      const action = webhooksActionOf(args.rest[0]) ?? 'list';
      return runWebhooksCommand({ config, action, url: args.url, out: { say, complain } });
    }
    // Loaded on use, as they load `pg` (see loadPg in app.ts).
    case 'migrate':
      return (await import('./cli/migrate.js')).runMigrateCommand({ config, out: { say, complain } });
    case 'store':
      return (await import('./cli/store-transfer.js')).runStoreCommand({
        config,
        action: storeActionOf(args.rest[0]) ?? 'export',
        io: { stdin: process.stdin, stdout: process.stdout, complain },
        // stdout is the export: logs go to stderr.
        log: createLogger({ level: 'warn', destination: process.stderr }),
      });
    case 'queue':
      return runQueueCommand({
        config,
        source: configPath,
        action: queueActionOf(args),
        json: args.json,
        out: { say, complain },
        // stdout is the listing: what the store logs (a stale lock taken over) goes to stderr.
        log: createLogger({ level: 'warn', destination: process.stderr }),
      });
  }
}

/** Runs until SIGTERM/SIGINT, then drains and exits 0; a runtime failure exits 1. */
async function runDaemon(config: Config, log: Logger): Promise<number> {
  // Loaded here, not at the top: the platform SDKs are heavy and other commands do not need them.
  const { createApp } = await import('./app.js');
  // A lost sender role ends the process (exit 1): a supervisor restarts it, as a standby.
  let onFatal: (error: Error) => void = () => undefined;
  const app = createApp(config, { log, onFatal: (error) => onFatal(error) });
  let url: string;
  try {
    url = await app.start();
  } catch (error) {
    await app.stop().catch(() => undefined);
    if (error instanceof BridgeError && error.code === 'credentials_invalid') {
      log.fatal({ err: error }, 'Credentials rejected');
      complain(`threadline: ${error.message}`);
      return exitCodes.badConfig;
    }
    if (error instanceof BridgeError && error.code === 'store_locked') {
      // Another process has the store open: a runtime condition, not a config error.
      log.fatal({ err: error }, 'Store in use');
      complain(`threadline: ${error.message}`);
      return exitCodes.failure;
    }
    throw error;
  }
  log.info({ url, routes: config.routes.length }, 'Threadline started');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'Shutting down');
      app.stop().then(
        () => {
          log.info('Stopped cleanly');
          resolve(exitCodes.ok);
        },
        (error: unknown) => {
          log.error({ err: error }, 'Shutdown failed');
          resolve(exitCodes.failure);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    onFatal = () => {
      if (stopping) return;
      stopping = true;
      void app.stop().finally(() => resolve(exitCodes.failure));
    };
    process.once('unhandledRejection', (error) => {
      log.fatal({ err: error }, 'Unhandled rejection');
      resolve(exitCodes.failure);
    });
  });
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
    // Let the logger flush, then leave even if a platform client keeps a socket open.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    complain(`threadline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(exitCodes.failure);
  },
);
