/**
 * A lean HTTP/1.1 keep-alive client for the load generator: each connection writes one pre-serialized POST and
 * reads the answer's status line, headers and body (Content-Length, or small chunked ones), nothing more. On a 2-core machine the load
 * generator shares the CPU with the server it measures; a general-purpose client (undici) costs more per request
 * than the bare floor server does, which would cap the floor's figure at the client's speed.
 */
import { connect, type Socket } from 'node:net';

interface Waiter {
  resolve: (status: number) => void;
}

class Connection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: Waiter | undefined;
  #broken = false;

  /** `onClose` runs when the connection ends (e.g. the server closed it after its keep-alive timeout). */
  constructor(host: string, port: number, onClose: (connection: Connection) => void) {
    this.#socket = connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const fail = () => {
      if (this.#broken) return;
      this.#broken = true;
      this.#waiter?.resolve(0);
      this.#waiter = undefined;
      onClose(this);
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', fail);
  }

  get broken(): boolean {
    return this.#broken;
  }

  /** Writes one request; resolves with the answer's status (0 when the connection failed). */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve) => {
      if (this.#broken) return resolve(0);
      this.#waiter = { resolve };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headerEnd === -1) return;
    const head = this.#buffer.subarray(0, headerEnd).toString('latin1');
    let end: number;
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      // Small answers only: the body ends with the zero-length chunk.
      const last = this.#buffer.indexOf('0\r\n\r\n', headerEnd + 4);
      if (last === -1) return;
      end = last + 5;
    } else {
      end = headerEnd + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.#buffer.length < end) return;
    }
    this.#buffer = this.#buffer.subarray(end);
    const status = Number(head.slice(9, 12));
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(status);
  }
}

/** Keep-alive connections to one server, at most `size` open; a request waits for a free one. */
export class HttpPool {
  readonly #host: string;
  readonly #port: number;
  readonly #size: number;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #queue: ((connection: Connection) => void)[] = [];

  constructor(url: string, size: number) {
    const { hostname, port } = new URL(url);
    this.#host = hostname;
    this.#port = Number(port);
    this.#size = size;
  }

  /** POSTs `body` to `path` with `headers`; resolves with the status (0 when it failed). */
  async post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    const bytes = Buffer.from(body);
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.#host}:${this.#port}\r\ncontent-length: ${bytes.length}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const connection = await this.#take();
    const status = await connection.send(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes]));
    this.#give(connection);
    return status;
  }

  close(): void {
    for (const connection of this.#all) connection.close();
    this.#all.clear();
    this.#idle.length = 0;
  }

  #take(): Promise<Connection> {
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < this.#size) {
      const connection = new Connection(this.#host, this.#port, (closed) => this.#forget(closed));
      this.#all.add(connection);
      return Promise.resolve(connection);
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  /** A connection that ended is not handed out again (an idle one the server closed is simply dropped). */
  #forget(connection: Connection): void {
    this.#all.delete(connection);
    const index = this.#idle.indexOf(connection);
    if (index !== -1) this.#idle.splice(index, 1);
  }

  #give(connection: Connection): void {
    if (connection.broken) {
      this.#all.delete(connection);
      connection.close();
      const next = this.#queue.shift();
      if (next) void this.#take().then(next);
      return;
    }
    const next = this.#queue.shift();
    if (next) next(connection);
    else this.#idle.push(connection);
  }
}
