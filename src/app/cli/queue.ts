import type { Logger } from 'pino';
import type { Config } from '../config-schema.js';
import { BridgeError } from '../../core/errors.js';
import type { QueueSnapshot, RetryRequest, RetryResult } from '../../server/queue-view.js';
import type { QueueAction } from './args.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import type { CliOutput } from './output.js';
import { adminBaseUrl, fetchQueue, postRetry } from './queue-client.js';
import { retryInStore, storeSnapshot, withStore } from './queue-direct.js';
import { describeNotRetried, renderQueue, renderRetried } from './queue-format.js';

export interface QueueCommandInput {
  readonly config: Config;
  /** Where the config came from, for messages. */
  readonly source: string;
  readonly action: QueueAction;
  readonly json: boolean;
  readonly out: CliOutput;
  /** For the store, when it is opened directly (a stale lock taken over is logged): stderr, not stdout. */
  readonly log: Logger;
  readonly now?: () => number;
}

/** Where the answer came from: the running daemon, or the files of a stopped one. */
type Origin = { readonly source: 'daemon'; readonly url: string } | { readonly source: 'store'; readonly path: string };

/**
 * `threadline queue [retry <id>|--all]`. The running daemon owns the store, so it is asked over its
 * loopback admin routes; only when nothing listens there (it is not running) is the store opened here,
 * under the store's lock, which refuses the open if a daemon holds it after all.
 */
export async function runQueueCommand(input: QueueCommandInput): Promise<ExitCode> {
  const { config, action, out } = input;
  const now = input.now ?? Date.now;
  const request: RetryRequest | undefined =
    action.kind === 'list' ? undefined : 'all' in action ? { all: true } : { ids: [action.id] };
  const base = adminBaseUrl(config.server);
  if (base !== undefined) {
    const origin: Origin = { source: 'daemon', url: base };
    if (request) {
      const answer = await postRetry(base, request);
      if (answer.kind === 'ok') return retried(input, answer.value, origin);
      if (answer.kind === 'failed') return unreachable(input, answer.message);
    } else {
      const answer = await fetchQueue(base);
      if (answer.kind === 'ok') return listed(input, answer.value, origin);
      if (answer.kind === 'failed') return unreachable(input, answer.message);
    }
    // Nobody listens: the daemon is not running, so its store is read here.
  }
  const origin: Origin = { source: 'store', path: config.store.path };
  try {
    return await withStore(config, input.log, async (store) => {
      if (!request) return listed(input, storeSnapshot(store, now()), origin, store === undefined);
      return retried(input, await retryInStore(store, request, now()), origin);
    });
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (error.code === 'store_locked') {
      const where =
        base === undefined
          ? 'server.port is 0, so the daemon cannot be asked'
          : `nothing answers at ${base}, but the store is in use`;
      out.complain(
        `threadline queue: ${where}. ${error.message}\nCheck that server.host and server.port in ${input.source} are the running daemon's (its "Threadline started" log line shows its URL).`,
      );
      return exitCodes.failure;
    }
    out.complain(`threadline queue: cannot read the store ${config.store.path}: ${error.message}`);
    return exitCodes.failure;
  }
}

function unreachable(input: QueueCommandInput, message: string): ExitCode {
  input.out.complain(`threadline queue: ${message}`);
  return exitCodes.failure;
}

function listed(input: QueueCommandInput, snapshot: QueueSnapshot, origin: Origin, noStore = false): ExitCode {
  if (input.json) {
    input.out.say(JSON.stringify({ ...origin, ...snapshot }, null, 2));
    return exitCodes.ok;
  }
  const heading =
    origin.source === 'daemon'
      ? `Queue of the running Threadline at ${origin.url}:`
      : noStore
        ? `Threadline is not running, and there is no store at ${origin.path} yet.`
        : `Queue in the store ${origin.path} (Threadline is not running):`;
  input.out.say(renderQueue(snapshot, heading));
  return exitCodes.ok;
}

function retried(input: QueueCommandInput, result: RetryResult, origin: Origin): ExitCode {
  const { action, out } = input;
  const asked = action.kind === 'retry' && 'id' in action ? action.id : 'all';
  const failed = asked !== 'all' && result.retried.length === 0;
  if (input.json) out.say(JSON.stringify({ ...origin, ...result }, null, 2));
  else if (!failed) out.say(renderRetried(result, asked, origin.source === 'daemon'));
  if (failed) {
    out.complain(`threadline queue retry: ${describeNotRetried(asked, result)}`);
    return exitCodes.badConfig;
  }
  return exitCodes.ok;
}
