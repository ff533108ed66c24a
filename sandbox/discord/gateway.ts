import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SimCore } from './core.js';
import { GatewaySession } from './gateway-session.js';
import { checkIntents, INTENTS, wantsEvent } from './intents.js';
import type { SimMessage } from './types.js';
import { wireGuildCreate, wireMember, wireUser } from './wire-guild.js';
import { isContentHidden, wireMessage } from './wire-message.js';

export const GATEWAY_PATH = '/gateway';
export const RESUME_PATH = '/gateway/resume';

/** Close codes after which a session cannot be resumed. */
const SESSION_ENDING_CODES = new Set([1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);

interface Connection {
  number: number;
  socket: WebSocket;
  session: GatewaySession | undefined;
}

/** The JSON gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay, dispatches. */
export class Gateway {
  readonly #core: SimCore;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #connections = new Set<Connection>();
  #connectionCount = 0;

  constructor(core: SimCore) {
    this.#core = core;
  }

  /** Takes over an HTTP upgrade on the gateway paths; anything else is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname !== GATEWAY_PATH && url.pathname !== RESUME_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, url));
  }

  /** Sends a dispatch to every session that asked for it (and keeps it for sessions that may resume). */
  dispatch(t: string, d: unknown): void {
    for (const session of this.#sessions.values()) {
      if (wantsEvent(session.intents, t)) this.#sendDispatch(session, t, d);
    }
  }

  /** MESSAGE_CREATE / MESSAGE_UPDATE, with content blanked for sessions without the MessageContent intent. */
  dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: SimMessage): void {
    const state = this.#core.state;
    for (const session of this.#sessions.values()) {
      if (!wantsEvent(session.intents, t)) continue;
      const granted = (session.intents & INTENTS.messageContent) !== 0;
      const d = wireMessage(state, message, {
        gateway: true,
        withNonce: t === 'MESSAGE_CREATE',
        hideContent: isContentHidden(state, message, granted),
      });
      this.#sendDispatch(session, t, d);
    }
  }

  /** Closes every gateway socket: abruptly (1006 on the client) without a code, else with that close code. */
  dropConnections(code?: number): void {
    for (const connection of this.#connections) {
      if (code === undefined) connection.socket.terminate();
      else connection.socket.close(code, 'Simulated disconnect');
    }
  }

  /** Sends op 7 RECONNECT to every socket. */
  requestReconnect(): void {
    for (const connection of this.#connections) this.#send(connection, { op: 7, d: null });
  }

  /** Sends op 9 INVALID_SESSION; a non-resumable one also forgets the sessions. */
  invalidateSessions(resumable: boolean): void {
    for (const connection of this.#connections) {
      if (!resumable && connection.session) this.#sessions.delete(connection.session.id);
      this.#send(connection, { op: 9, d: resumable });
    }
  }

  close(): void {
    for (const connection of this.#connections) connection.socket.terminate();
    this.#connections.clear();
    this.#sessions.clear();
    this.#wss.close();
  }

  #accept(socket: WebSocket, url: URL): void {
    this.#connectionCount += 1;
    const connection: Connection = { number: this.#connectionCount, socket, session: undefined };
    this.#connections.add(connection);
    socket.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    socket.on('close', (code) => this.#onClose(connection, code));
    socket.on('error', () => socket.terminate());
    this.#send(connection, {
      op: 10,
      d: { heartbeat_interval: this.#core.config.heartbeatIntervalMs, _trace: ['["discord-simulator",{}]'] },
    });
    const version = url.searchParams.get('v');
    if (version !== null && version !== '10') this.#close(connection, 4012, 'Invalid API version');
    else if ((url.searchParams.get('encoding') ?? 'json') !== 'json')
      this.#close(connection, 4002, 'Error while decoding payload.');
  }

  #onClose(connection: Connection, code: number): void {
    this.#connections.delete(connection);
    const session = connection.session;
    if (!session || session.socket !== connection.socket) return;
    session.socket = undefined;
    if (SESSION_ENDING_CODES.has(code)) this.#sessions.delete(session.id);
  }

  #onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      this.#close(connection, 4002, 'Error while decoding payload.');
      return;
    }
    const op = typeof payload.op === 'number' ? payload.op : -1;
    this.#core.frames.push({ direction: 'in', op, connection: connection.number, at: Date.now() });
    if (isBinary) {
      this.#close(connection, 4002, 'Error while decoding payload.');
      return;
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<string, unknown>;
    switch (op) {
      case 1:
        this.#send(connection, { op: 11 });
        return;
      case 2:
        this.#identify(connection, d);
        return;
      case 6:
        this.#resume(connection, d);
        return;
      case 3:
      case 4:
        if (!connection.session) this.#close(connection, 4003, 'Not authenticated.');
        return;
      case 8:
        this.#requestMembers(connection, d);
        return;
      default:
        this.#close(connection, 4001, 'Unknown opcode.');
    }
  }

  #identify(connection: Connection, d: Record<string, unknown>): void {
    const { config, state } = this.#core;
    if (connection.session) return this.#close(connection, 4005, 'Already authenticated.');
    if (d['token'] !== config.token) return this.#close(connection, 4004, 'Authentication failed.');
    const refused = checkIntents(config, d['intents']);
    if (refused) return this.#close(connection, refused.code, refused.reason);
    const session = new GatewaySession(
      randomBytes(16).toString('hex'),
      d['intents'] as number,
      connection.socket,
      connection.number,
    );
    this.#sessions.set(session.id, session);
    connection.session = session;
    const flags = config.messageContentIntentEnabled ? 1 << 19 : 0;
    this.#sendDispatch(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...wireUser(state.bot), verified: true, mfa_enabled: false, email: null },
      guilds: [{ id: state.guild.id, unavailable: true }],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: `${this.#wsOrigin()}${RESUME_PATH}`,
      application: { id: state.bot.id, flags },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['local'],
      auth: {},
      shard: [0, 1],
      _trace: ['["discord-simulator",{}]'],
    });
    this.#sendDispatch(session, 'GUILD_CREATE', wireGuildCreate(state));
  }

  #resume(connection: Connection, d: Record<string, unknown>): void {
    if (connection.session) return this.#close(connection, 4005, 'Already authenticated.');
    if (d['token'] !== this.#core.config.token) return this.#close(connection, 4004, 'Authentication failed.');
    const session = typeof d['session_id'] === 'string' ? this.#sessions.get(d['session_id']) : undefined;
    const seq = typeof d['seq'] === 'number' ? d['seq'] : 0;
    const missed = session && seq <= session.seq ? session.after(seq) : undefined;
    if (!session || !missed) {
      this.#send(connection, { op: 9, d: false });
      return;
    }
    // Discord lets one socket hold a session: the older one is dropped.
    if (session.socket && session.socket !== connection.socket) session.socket.terminate();
    session.socket = connection.socket;
    session.connection = connection.number;
    connection.session = session;
    for (const entry of missed) this.#write(connection, entry.frame, entry.t, entry.s);
    this.#sendDispatch(session, 'RESUMED', { _trace: ['["discord-simulator",{}]'] });
  }

  #requestMembers(connection: Connection, d: Record<string, unknown>): void {
    if (!connection.session) return this.#close(connection, 4003, 'Not authenticated.');
    const { state } = this.#core;
    const ids = Array.isArray(d['user_ids'])
      ? d['user_ids'].map(String)
      : typeof d['user_ids'] === 'string'
        ? [d['user_ids']]
        : undefined;
    const query = typeof d['query'] === 'string' ? d['query'].toLowerCase() : '';
    const members = [...state.members.values()].filter((member) =>
      ids ? ids.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query),
    );
    const limit = typeof d['limit'] === 'number' && d['limit'] > 0 ? d['limit'] : members.length;
    this.#sendDispatch(connection.session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: state.guild.id,
      members: members.slice(0, limit).map((member) => wireMember(member)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: ids ? ids.filter((id) => !state.members.has(id)) : [],
      ...(d['nonce'] === undefined ? {} : { nonce: d['nonce'] }),
    });
  }

  #sendDispatch(session: GatewaySession, t: string, d: unknown): void {
    const { s, frame } = session.record(t, d);
    const connection = [...this.#connections].find((c) => c.socket === session.socket);
    if (connection) this.#write(connection, frame, t, s);
  }

  #send(connection: Connection, payload: { op: number; d?: unknown }): void {
    this.#write(
      connection,
      JSON.stringify({ s: null, t: null, d: null, ...payload }),
      undefined,
      undefined,
      payload.op,
    );
  }

  #write(connection: Connection, frame: string, t: string | undefined, s: number | undefined, op = 0): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(frame);
    this.#core.frames.push({
      direction: 'out',
      op,
      ...(t === undefined ? {} : { t }),
      ...(s === undefined ? {} : { s }),
      connection: connection.number,
      at: Date.now(),
    });
  }

  #close(connection: Connection, code: number, reason: string): void {
    connection.socket.close(code, reason);
  }

  #wsOrigin(): string {
    return this.#core.origin.replace(/^http/, 'ws');
  }
}
