import type { Config } from '../config-schema.js';
import { renderCheckReport } from './check-report.js';
import { checkDiscord } from './check-discord.js';
import { checkImessage } from './check-imessage.js';
import type { CheckRow } from './check-row.js';
import { checkSlack } from './check-slack.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import type { CliOutput } from './output.js';

/** Each platform request gives up after this long: check is interactive. */
const defaultTimeoutMs = 10_000;

/** Every check of every configured platform; platforms run side by side, checks of one platform in order. */
export async function runChecks(config: Config, timeoutMs = defaultTimeoutMs): Promise<CheckRow[]> {
  const publicUrl = config.server.publicUrl;
  const groups = await Promise.all([
    checkImessage(config, timeoutMs),
    config.slack ? checkSlack(config.slack, config.routes, { timeoutMs, publicUrl }) : [],
    config.discord ? checkDiscord(config.discord, config.routes, { timeoutMs }) : [],
  ]);
  return groups.flat();
}

export interface CheckCommandInput {
  /** The validated config (an invalid one never gets here: it exits 2 with the same messages as start). */
  readonly config: Config;
  /** Where the config came from, for the heading. */
  readonly source: string;
  readonly out: CliOutput;
  /** Terminal width for wrapping the fixes. Default 100. */
  readonly width?: number;
  readonly timeoutMs?: number;
}

/**
 * `threadline check`: prints the ✓/✗ table on stdout. Exit 0 only when every check passed; otherwise 2,
 * the contract's code for bad config or credentials (a platform that cannot be reached also counts: its
 * credentials could not be confirmed).
 */
export async function runCheckCommand(input: CheckCommandInput): Promise<ExitCode> {
  const rows = await runChecks(input.config, input.timeoutMs);
  input.out.say(renderCheckReport(rows, { source: input.source, width: input.width ?? 100 }));
  return rows.every((row) => row.ok) ? exitCodes.ok : exitCodes.badConfig;
}
