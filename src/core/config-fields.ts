import { z } from 'zod';

/**
 * Small builders for config fields whose errors read as instructions. Every field error names what
 * was expected and, where it helps, an example or the fix.
 */

/** A required non-empty string; `hint` says what belongs there. */
export function requiredText(hint: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${hint}` : `expected text: ${hint}`) })
    .min(1, { error: `must not be empty: ${hint}` });
}

/** A string that must match `pattern`, with `hint` as the whole message on a mismatch. */
export function patternText(pattern: RegExp, hint: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `is required: ${hint}`
          : typeof issue.input === 'number' || typeof issue.input === 'bigint'
            ? `${hint} (quote it in YAML: "${String(issue.input)}")`
            : hint,
    })
    .regex(pattern, { error: hint });
}

/** An http(s) URL; a trailing slash is kept as written. */
export function httpUrl(hint: string) {
  return z
    .string({ error: `expected a URL: ${hint}` })
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), {
      error: `expected an http(s) URL: ${hint}`,
    });
}

/**
 * An integer in a range. `${VAR}` interpolation yields strings, so a string of digits is accepted
 * and converted; anything else is reported with the range.
 */
export function integer(min: number, max: number, hint: string) {
  const message = `expected a whole number from ${min} to ${max}: ${hint}`;
  return z.preprocess(
    (value) =>
      typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && /^-?\d+$/.test(value.trim())
          ? Number(value.trim())
          : value,
    z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message }),
  );
}

/**
 * A number in a range (fractions allowed). `${VAR}` interpolation yields strings, so a numeric string is
 * accepted and converted; anything else is reported with the range.
 */
export function decimal(min: number, max: number, hint: string) {
  const message = `expected a number from ${min} to ${max}: ${hint}`;
  return z.preprocess(
    (value) =>
      typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
          ? Number(value.trim())
          : value,
    z.number({ error: message }).min(min, { error: message }).max(max, { error: message }),
  );
}

/** One of a few literal words; the message lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, hint: string) {
  return z.enum(values, { error: `expected one of ${values.map((v) => `"${v}"`).join(', ')}: ${hint}` });
}
