import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_REDELIVERIES } from './config.js';
import { newSecretToken } from './ids.js';
import type { Recorder } from '../shared/recorder.js';
import type { DisconnectReason, RecordedAck, RecordedConnection } from './types.js';

/** A Socket Mode frame from Slack to the app. */
export interface SocketEnvelope {
  envelope_id: string;
  type: 'events_api' | 'slash_commands';
  accepts_response_payload: boolean;
  payload: Record<string, unknown>;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface EnvelopeHandlers {
  /** Re-send after the ack timeout (Events API: yes, up to `maxResends` times; slash commands: no). */
  resend: boolean;
  /** Called for every frame actually written (first send and re-sends). */
  onSent: (envelope: SocketEnvelope) => void;
  onAck?: (payload: unknown) => void;
  /** No ack after the last attempt. */
  onGiveUp: () => void;
}

export interface SocketHubDeps {
  now: () => number;
  ackTimeoutMs: number;
  /** Re-sends of an unacked envelope; above DEFAULT_REDELIVERIES envelopes also wait for the next connection. */
  maxResends: number;
  appId: string;
  acks: Recorder<RecordedAck>;
  connections: Recorder<RecordedConnection>;
  onConnectionChange: (connection: RecordedConnection) => void;
  /** Called for every ack as it arrives. */
  onAck: (ack: RecordedAck) => void;
}

/** What `deliver` did with an envelope. */
export type DeliverResult = 'sent' | 'waiting' | 'missed';

interface LiveSocket {
  ws: WebSocket;
  record: RecordedConnection;
}

interface Pending {
  envelope: SocketEnvelope;
  handlers: EnvelopeHandlers;
  timer: NodeJS.Timeout | undefined;
  /** Not on any socket: goes out when the next connection says hello (redelivery mode only). */
  waiting: boolean;
}

/**
 * The Socket Mode side of Slack: one-time tickets from apps.connections.open, `hello` on connect, envelopes to one
 * connection each (round robin, as Slack spreads them), acks, re-sends of envelopes not acked in time, and the
 * `disconnect` frame. It never pings (the SDK then never expects pings).
 */
export class SocketModeHub {
  readonly #deps: SocketHubDeps;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #sockets = new Set<LiveSocket>();
  readonly #pending = new Map<string, Pending>();
  /** The event_id of every events_api envelope sent, so late acks can name their event too. */
  readonly #eventIds = new Map<string, string>();
  #nextConnectionId = 1;
  #roundRobin = 0;

  constructor(deps: SocketHubDeps) {
    this.#deps = deps;
  }

  /** A one-time ticket for the `wss` URL apps.connections.open returns. */
  issueTicket(): string {
    const ticket = newSecretToken();
    this.#tickets.add(ticket);
    return ticket;
  }

  /** Connections that have had `hello` and were not asked to go. */
  get liveCount(): number {
    return this.#live().length;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.#tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  /**
   * Sends an envelope to one live connection. With none connected it is 'missed' (Socket Mode does not buffer),
   * except in redelivery mode (maxResends above Slack's 3), where a re-sendable envelope is 'waiting' for the next
   * connection.
   */
  deliver(envelope: SocketEnvelope, handlers: EnvelopeHandlers): DeliverResult {
    const eventId = envelope.payload['event_id'];
    if (typeof eventId === 'string') this.#eventIds.set(envelope.envelope_id, eventId);
    const pending: Pending = { envelope, handlers, timer: undefined, waiting: false };
    if (this.#write(envelope)) {
      handlers.onSent(structuredClone(envelope));
      this.#pending.set(envelope.envelope_id, pending);
      this.#arm(pending);
      return 'sent';
    }
    if (!handlers.resend || !this.#redelivers) return 'missed';
    pending.waiting = true;
    this.#pending.set(envelope.envelope_id, pending);
    return 'waiting';
  }

  /** Asks every live connection to reconnect (`{type:'disconnect'}`); they stop receiving envelopes at once. */
  disconnect(reason: DisconnectReason): void {
    for (const socket of this.#live()) {
      socket.record.endedBy = reason;
      socket.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-simulator' } }));
    }
  }

  /** Cuts every connection without a close frame, like a network loss. */
  drop(): void {
    for (const socket of this.#sockets) {
      socket.record.endedBy ??= 'dropped';
      socket.ws.terminate();
    }
  }

  /**
   * Lets connections finish closing (bolt's `app.stop()` resolves before its close frame has even arrived; cut
   * mid-handshake, the SDK arms a 30 s timer that keeps the process alive), then cuts whatever is left.
   */
  async close(graceMs: number): Promise<void> {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    const closing = [...this.#sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.ws.readyState === WebSocket.CLOSED) resolve();
          socket.ws.once('close', () => resolve());
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closing),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const socket of this.#sockets) socket.ws.terminate();
    this.#wss.close();
  }

  #accept(ws: WebSocket): void {
    const record: RecordedConnection = {
      id: this.#nextConnectionId++,
      openedAt: this.#deps.now(),
      closedAt: undefined,
      endedBy: undefined,
    };
    const socket: LiveSocket = { ws, record };
    this.#sockets.add(socket);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#onFrame(rawText(data));
    });
    ws.on('close', () => {
      this.#sockets.delete(socket);
      record.closedAt = this.#deps.now();
      this.#deps.onConnectionChange(record);
    });
    ws.on('error', () => {
      // A reset connection: 'close' follows and does the bookkeeping.
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.#sockets.size,
        debug_info: { host: 'applink-simulator', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.#deps.appId },
      }),
    );
    this.#deps.connections.push(record);
    this.#deps.onConnectionChange(record);
    this.#flushWaiting();
  }

  /** Redelivery mode: sends the envelopes that found no connection, oldest first. */
  #flushWaiting(): void {
    for (const pending of this.#pending.values()) {
      if (!pending.waiting || !this.#write(pending.envelope)) continue;
      pending.waiting = false;
      pending.handlers.onSent(structuredClone(pending.envelope));
      this.#arm(pending);
    }
  }

  get #redelivers(): boolean {
    return this.#deps.maxResends > DEFAULT_REDELIVERIES;
  }

  #onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const envelopeId = (frame as Record<string, unknown>)['envelope_id'];
    if (typeof envelopeId !== 'string') return;
    const payload = (frame as Record<string, unknown>)['payload'];
    const ack: RecordedAck = { envelopeId, eventId: this.#eventIds.get(envelopeId), payload, at: this.#deps.now() };
    this.#deps.acks.push(ack);
    this.#deps.onAck(ack);
    const pending = this.#pending.get(envelopeId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(envelopeId);
    pending.handlers.onAck?.(payload);
  }

  #arm(pending: Pending): void {
    pending.timer = setTimeout(() => this.#onAckTimeout(pending), this.#deps.ackTimeoutMs);
  }

  #onAckTimeout(pending: Pending): void {
    const attempt = pending.envelope.retry_attempt ?? 0;
    if (!pending.handlers.resend || attempt >= this.#deps.maxResends) {
      this.#pending.delete(pending.envelope.envelope_id);
      pending.handlers.onGiveUp();
      return;
    }
    pending.envelope.retry_attempt = attempt + 1;
    pending.envelope.retry_reason = 'timeout';
    if (this.#write(pending.envelope)) {
      pending.handlers.onSent(structuredClone(pending.envelope));
    } else if (this.#redelivers) {
      pending.waiting = true;
      return;
    }
    // With nobody connected the attempt is spent, as when Slack's re-send finds no socket.
    this.#arm(pending);
  }

  #live(): LiveSocket[] {
    return [...this.#sockets].filter(
      (socket) => socket.record.endedBy === undefined && socket.ws.readyState === WebSocket.OPEN,
    );
  }

  #write(frame: SocketEnvelope): boolean {
    const live = this.#live();
    if (live.length === 0) return false;
    const target = live[this.#roundRobin++ % live.length];
    target?.ws.send(JSON.stringify(frame));
    return target !== undefined;
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
