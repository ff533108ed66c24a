import type { Logger } from 'pino';
import { createLogger } from '../../src/log.js';

export interface CapturedLine {
  readonly level: string;
  readonly msg: string;
  readonly raw: string;
  readonly [key: string]: unknown;
}

/** A real Threadline logger (same redaction) whose lines are kept in memory for assertions. */
export function captureLogs(level: 'info' | 'debug' | 'trace' = 'debug'): { log: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const log = createLogger({
    level,
    destination: {
      write(chunk: string) {
        for (const raw of chunk.split('\n').filter(Boolean)) {
          lines.push({ ...(JSON.parse(raw) as Record<string, unknown>), raw } as CapturedLine);
        }
      },
    },
  });
  return { log, lines };
}
