import { parseArgs } from 'node:util';

export type Command = 'start' | 'check' | 'demo' | 'webhooks' | 'queue' | 'migrate' | 'store' | 'help' | 'version';

/** What `threadline webhooks` does. */
export type WebhooksAction = 'register' | 'list';

export interface ParsedArgs {
  readonly command: Command;
  /** Words after the command (e.g. `register` in `webhooks register`, or the topic of `help check`). */
  readonly rest: readonly string[];
  readonly configPath: string | undefined;
  readonly url: string | undefined;
  readonly help: boolean;
  /** `queue retry --all`. */
  readonly all: boolean;
  /** `queue --json`. */
  readonly json: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const commands: readonly Command[] = [
  'start',
  'check',
  'demo',
  'webhooks',
  'queue',
  'migrate',
  'store',
  'help',
  'version',
];
const webhooksActions: readonly WebhooksAction[] = ['register', 'list'];

/** Parses `threadline [command] [options]`; `start` is the default command. */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [first, ...rest] = parsed.positionals;
  if (parsed.values.version)
    return {
      command: 'version',
      rest: [],
      configPath: undefined,
      url: undefined,
      help: false,
      all: false,
      json: false,
    };
  // `threadline --help` is help on everything, not on the default command.
  const command = (first ?? (parsed.values.help ? 'help' : 'start')) as Command;
  if (!commands.includes(command)) throw new UsageError(`unknown command "${first}"`);
  const args: ParsedArgs = {
    command,
    rest,
    configPath: parsed.values.config,
    url: parsed.values.url,
    help: parsed.values.help ?? false,
    all: parsed.values.all ?? false,
    json: parsed.values.json ?? false,
  };
  if (!args.help) {
    try {
      validateCommandArgs(args);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(`${error.message}; see threadline ${args.command} --help`);
    }
  }
  return args;
}

/** Rejects words and options a command does not take, so a typo never silently does something else. */
function validateCommandArgs(args: ParsedArgs): void {
  if (args.command !== 'queue') {
    if (args.all) throw new UsageError('--all belongs to "queue retry"');
    if (args.json) throw new UsageError('--json belongs to "queue"');
  }
  if (args.command === 'queue') validateQueueArgs(args);
  if (args.command === 'check') {
    if (args.rest.length > 0) throw new UsageError(`check takes no arguments (got "${args.rest.join(' ')}")`);
    if (args.url !== undefined) throw new UsageError('--url belongs to "webhooks register", not "check"');
  }
  if (args.command === 'migrate') {
    if (args.rest.length > 0) throw new UsageError(`migrate takes no arguments (got "${args.rest.join(' ')}")`);
    if (args.url !== undefined) throw new UsageError('--url belongs to "webhooks register", not "migrate"');
  }
  if (args.command === 'store') {
    const [action, ...extra] = args.rest;
    if (action === undefined) throw new UsageError('store needs an action: "store export" or "store import"');
    if (!storeActionOf(action)) throw new UsageError(`unknown store action "${action}" (export or import)`);
    if (extra.length > 0) throw new UsageError(`store ${action} takes no arguments (got "${extra.join(' ')}")`);
    if (args.url !== undefined) throw new UsageError('--url belongs to "webhooks register", not "store"');
  }
  if (args.command === 'webhooks') {
    const [action, ...extra] = args.rest;
    if (action === undefined) throw new UsageError('webhooks needs an action: "webhooks register" or "webhooks list"');
    if (!webhooksActionOf(action)) throw new UsageError(`unknown webhooks action "${action}" (register or list)`);
    if (extra.length > 0) throw new UsageError(`webhooks ${action} takes no arguments (got "${extra.join(' ')}")`);
    if (action === 'list' && args.url !== undefined) throw new UsageError('--url belongs to "webhooks register"');
  }
}

/** What `threadline queue` does: list, or re-queue one dead letter or all of them. */
export type QueueAction =
  | { readonly kind: 'list' }
  | { readonly kind: 'retry'; readonly id: number }
  | { readonly kind: 'retry'; readonly all: true };

function validateQueueArgs(args: ParsedArgs): void {
  if (args.url !== undefined) throw new UsageError('--url belongs to "webhooks register", not "queue"');
  queueActionOf(args);
}

/**
 * `queue` → list; `queue retry <id>` or `queue retry --all` → retry.
 * @throws UsageError for anything else (another word, an id that is not a positive integer, both or neither).
 */
export function queueActionOf(args: Pick<ParsedArgs, 'rest' | 'all'>): QueueAction {
  const [action, ...extra] = args.rest;
  if (action === undefined) {
    if (args.all) throw new UsageError('--all belongs to "queue retry"');
    return { kind: 'list' };
  }
  if (action !== 'retry') throw new UsageError(`unknown queue action "${action}" (retry <id> or retry --all)`);
  if (extra.length > 1) throw new UsageError(`queue retry takes one effect id (got "${extra.join(' ')}")`);
  const [word] = extra;
  if (word === undefined) {
    if (!args.all) throw new UsageError('queue retry needs an effect id (from "threadline queue") or --all');
    return { kind: 'retry', all: true };
  }
  if (args.all) throw new UsageError('queue retry takes an effect id or --all, not both');
  if (!/^[1-9][0-9]{0,14}$/.test(word))
    throw new UsageError(`"${word}" is not an effect id (a number from "threadline queue")`);
  return { kind: 'retry', id: Number(word) };
}

/** The action word of `webhooks`, or undefined when it is not one. */
export function webhooksActionOf(word: string | undefined): WebhooksAction | undefined {
  return webhooksActions.find((action) => action === word);
}

/** The action word of `store`, or undefined when it is not one. */
export function storeActionOf(word: string | undefined): 'export' | 'import' | undefined {
  return word === 'export' || word === 'import' ? word : undefined;
}
