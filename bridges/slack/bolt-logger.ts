import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/** bolt's and the Slack SDKs' logging, into our pino logger (their info is our debug: it is chatty). */
export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const text = (args: unknown[]) => args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  return {
    debug: (...args: unknown[]) => log.trace({ sdk: text(args) }, 'Slack SDK'),
    info: (...args: unknown[]) => log.debug({ sdk: text(args) }, 'Slack SDK'),
    warn: (...args: unknown[]) => log.warn({ sdk: text(args) }, 'Slack SDK warning'),
    error: (...args: unknown[]) => log.error({ sdk: text(args) }, 'Slack SDK error'),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
