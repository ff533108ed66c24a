import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Keys that hold credentials anywhere in a logged object. */
const secretKeys = [
  'apiKey',
  'webhookSecret',
  'secret',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'authorization',
  'Authorization',
  'x-webhook-signature',
  'x-slack-signature',
  'signature',
];

/** Redaction paths for every secret key at the top level and up to three levels down. */
function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of secretKeys) {
    const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (safe.startsWith('[') ? `${prefix}${safe}` : `${prefix}.${safe}`);
    paths.push(safe.startsWith('[') ? safe.slice(2, -2) : safe);
    paths.push(join('*'), join('*.*'), join('*.*.*'));
  }
  return paths;
}

export interface CreateLoggerOptions {
  readonly level: LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a capture stream. */
  readonly destination?: DestinationStream;
}

/**
 * The one root logger. JSON lines on stdout, one line per event; credentials are censored wherever
 * they appear. Message bodies are never logged above trace: that is a rule for callers, checked by
 * tests.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'threadline' },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
