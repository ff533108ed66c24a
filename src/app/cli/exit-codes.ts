/** Exit codes of the public contract (DESIGN.md): every command uses these three. */
export const exitCodes = {
  /** Done (for `start`: clean shutdown after SIGTERM/SIGINT). */
  ok: 0,
  /** A runtime failure: something that was supposed to work did not (a platform unreachable, a bug). */
  failure: 1,
  /** Bad config or credentials: the message names the key or the platform and what to do. */
  badConfig: 2,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
