import type pg from 'pg';
import type { Logger } from 'pino';
import { JOURNAL_CHANNEL } from './pg-journal-once.js';

export interface JournalFollowerOptions {
  /** A new, unconnected client for LISTEN (re-made after a lost connection). */
  readonly listen: () => pg.Client;
  /** Reads the journal and takes in what is new; true when something was. */
  readonly poll: () => Promise<boolean>;
  readonly onJournaled: () => void;
  readonly pollMs: number;
  readonly log: Logger | undefined;
}

/**
 * Hears about entries other replicas journal: LISTEN for their NOTIFY (at once), and a poll every
 * `pollMs` (a notification sent while the listening connection was down is not delivered later).
 * Reads never overlap; a notification during a read asks for one more.
 */
export class JournalFollower {
  readonly #options: JournalFollowerOptions;
  #client: pg.Client | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: JournalFollowerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => this.#read(), this.#options.pollMs);
    this.#timer.unref();
    void this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#client?.end().catch(() => undefined);
    await this.#reading;
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = this.#options.listen();
    this.#client = client;
    const retry = () => {
      if (this.#client !== client || this.#stopped) return;
      this.#client = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.#connect(), this.#options.pollMs).unref();
    };
    client.on('error', (error) => {
      this.#options.log?.warn({ err: error }, 'Journal notifications lost; listening again');
      retry();
    });
    client.on('end', retry);
    client.on('notification', () => this.#read());
    try {
      await client.connect();
      await client.query(`LISTEN ${JOURNAL_CHANNEL}`);
      // Whatever was journaled before LISTEN took effect.
      this.#read();
    } catch (error) {
      this.#options.log?.warn({ err: error }, 'Could not listen for journal notifications; polling meanwhile');
      retry();
    }
  }

  #read(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        try {
          if (await this.#options.poll()) this.#options.onJournaled();
        } catch (error) {
          this.#options.log?.warn({ err: error }, 'Could not read the journal; trying again');
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => (this.#reading = undefined));
  }
}
