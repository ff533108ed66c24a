import type { WebSocket } from 'ws';

/** How many dispatches a session keeps for RESUME (older ones force a fresh IDENTIFY, as on Discord). */
const REPLAY_LIMIT = 5000;

/** One identified gateway session: its intents, sequence, and the dispatches a RESUME may replay. */
export class GatewaySession {
  readonly id: string;
  readonly intents: number;
  seq = 0;
  socket: WebSocket | undefined;
  /** Number of the gateway connection the session is attached to. */
  connection: number;
  readonly #log: Array<{ s: number; t: string; frame: string }> = [];

  constructor(id: string, intents: number, socket: WebSocket, connection: number) {
    this.id = id;
    this.intents = intents;
    this.socket = socket;
    this.connection = connection;
  }

  /** Numbers and stores one dispatch; returns the frame text and its `s`. */
  record(t: string, d: unknown): { s: number; frame: string } {
    this.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: this.seq, d });
    this.#log.push({ s: this.seq, t, frame });
    if (this.#log.length > REPLAY_LIMIT) this.#log.shift();
    return { s: this.seq, frame };
  }

  /** The dispatches after `seq`, or undefined when some of them are no longer kept. */
  after(seq: number): Array<{ s: number; t: string; frame: string }> | undefined {
    const first = this.#log[0];
    if (first && first.s > seq + 1) return undefined;
    return this.#log.filter((entry) => entry.s > seq);
  }
}
