import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomUpper(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/** An Events API event id, like `Ev08ABCDEF12`. */
export function newEventId(): string {
  return `Ev0${randomUpper(9)}`;
}

/** A Socket Mode envelope id (Slack uses uuids). */
export function newEnvelopeId(): string {
  return randomUUID();
}

/** A file id, like `F08ABCDEF12`. */
export function newFileId(): string {
  return `F0${randomUpper(9)}`;
}

/** An unguessable token for tickets, upload URLs and response URLs. */
export function newSecretToken(): string {
  return randomBytes(16).toString('hex');
}

export function newClientMsgId(): string {
  return randomUUID();
}

/** A slash command trigger id: `<digits>.<digits>.<hex>`. */
export function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
}

/** A block id as Slack's clients make them (5 random characters). */
export function newBlockId(): string {
  return randomBytes(4).toString('base64url').slice(0, 5);
}

/**
 * Issues message timestamps the way Slack writes them ('1700000000.000123': unix seconds, a dot, six digits),
 * strictly increasing even within one millisecond.
 */
export class TsClock {
  #lastMicros = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  next(): string {
    const micros = Math.max(this.#now() * 1000, this.#lastMicros + 1);
    this.#lastMicros = micros;
    return formatTs(micros);
  }
}

export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const rest = Math.floor(micros % 1_000_000);
  return `${seconds}.${String(rest).padStart(6, '0')}`;
}

/** Compares two Slack timestamps numerically. */
export function compareTs(a: string, b: string): number {
  const [aSec = '0', aMicro = '0'] = a.split('.');
  const [bSec = '0', bMicro = '0'] = b.split('.');
  return Number(aSec) - Number(bSec) || Number(aMicro.padEnd(6, '0')) - Number(bMicro.padEnd(6, '0'));
}
