import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Keys that hold credentials anywhere in a logged object. */
const secretNames = new Set([
  'apiKey',
  'webhookSecret',
  'secret',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'authorization',
  'x-webhook-signature',
  'x-slack-signature',
  'signature',
]);
/** The same, compared case-insensitively. */
const secretKeys = new Set([...secretNames].map((key) => key.toLowerCase()));
/**
 * Keys whose values are what a platform was sent or answered: they can carry a message's text, so they
 * are never logged (SDK errors attach them: discord.js's `requestBody`, for one).
 */
const bodyKeys = new Set(['requestbody', 'rawbody']);
const censor = '[redacted]';
const maxDepth = 8;

/**
 * A copy of `value` with every credential censored and every request body left out, wherever they sit
 * (errors included, turned into plain objects as pino's err serializer would). Walks only what is
 * logged, so its cost is the size of the line, not a list of paths.
 */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const source: Record<string, unknown> =
    value instanceof Error ? pino.stdSerializers.err(value) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(source)) {
    const lower = key.toLowerCase();
    if (bodyKeys.has(lower)) continue;
    out[key] = secretKeys.has(lower) && child !== undefined && child !== null ? censor : scrub(child, depth + 1, seen);
  }
  return out;
}

export interface CreateLoggerOptions {
  readonly level: LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a capture stream. */
  readonly destination?: DestinationStream;
}

/**
 * The one root logger. JSON lines on stdout, one line per event; credentials are censored wherever
 * they appear (by walking what is logged: path-based redaction cost more than the rest of a webhook).
 * Message bodies are never logged above trace: that is a rule for callers, checked by tests.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'threadline' },
      serializers: {
        // `err` is serialized by `scrub`, so that what an error carries is scrubbed too.
        err: (error: unknown) => error,
        // Child bindings are not seen by `formatters.log`; a credential among them is censored here.
        ...Object.fromEntries([...secretNames].map((key) => [key, () => censor])),
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
