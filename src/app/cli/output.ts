/** Where a command writes: `say` for its result (stdout), `complain` for errors (stderr). */
export interface CliOutput {
  /** One or more lines of the command's result; the caller adds the final newline. */
  readonly say: (text: string) => void;
  /** One or more lines of an error or warning; the caller adds the final newline. */
  readonly complain: (text: string) => void;
}
