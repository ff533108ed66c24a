import { parseArgs } from 'node:util';

export type Command = 'start' | 'check' | 'demo' | 'webhooks' | 'help' | 'version';

export interface ParsedArgs {
  readonly command: Command;
  /** Words after the command (e.g. `register` in `webhooks register`). */
  readonly rest: readonly string[];
  readonly configPath: string | undefined;
  readonly url: string | undefined;
  readonly help: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const commands: readonly Command[] = ['start', 'check', 'demo', 'webhooks', 'help', 'version'];

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
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [first, ...rest] = parsed.positionals;
  if (parsed.values.version)
    return { command: 'version', rest: [], configPath: undefined, url: undefined, help: false };
  const command = (first ?? 'start') as Command;
  if (!commands.includes(command)) throw new UsageError(`unknown command "${first}"`);
  return {
    command,
    rest,
    configPath: parsed.values.config,
    url: parsed.values.url,
    help: parsed.values.help ?? false,
  };
}

export const usage = `Usage: threadline <command> [options]

Commands:
  start               run the bridge (the default)
  check               validate the config and every credential and route, then exit
  demo                run the bridge against local simulators with a web page
  webhooks register   create the messages.dev webhook for each route line (--url https://…)
  webhooks list       list the messages.dev webhooks of each route line
  help                show this help

Options:
  -c, --config PATH   config file (else $THREADLINE_CONFIG, else config/threadline.yaml)
  -h, --help          help for a command
  -v, --version       print the version

Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad config or credentials.`;
