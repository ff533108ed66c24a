import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy did with one request. */
export interface ProxiedRequest {
  /** Ports the request was forwarded to (two when it went to both). */
  readonly sentTo: number[];
  readonly status: number;
}

export interface RoundRobinProxy {
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A load balancer in front of several replicas' HTTP ports, as a test needs one: requests go to the targets in
 * turn; every `bothEvery`-th goes to two targets at once (a retry that landed twice), answered with the better
 * status; a target that refuses the connection or answers 5xx is skipped for the next one, like haproxy's
 * `retry-on`. `targets()` is read on every request, so replicas may come and go.
 */
export async function startRoundRobinProxy(options: {
  readonly targets: () => readonly number[];
  readonly bothEvery?: number;
}): Promise<RoundRobinProxy> {
  let turn = 0;
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const targets = [...options.targets()];
      const start = turn++;
      const order = targets.map((_, index) => targets[(start + index) % targets.length]!);
      const both = options.bothEvery !== undefined && start % options.bothEvery === options.bothEvery - 1;
      const headers = forwardedHeaders(request);
      const send = (port: number) => forward(port, request.method ?? 'GET', request.url ?? '/', headers, body);
      let answer: Answer = { status: 502, body: 'no replica answered', contentType: 'text/plain' };
      const sentTo: number[] = [];
      if (both && order.length >= 2) {
        sentTo.push(order[0]!, order[1]!);
        const answers = await Promise.all([send(order[0]!), send(order[1]!)]);
        answer = answers.reduce((best, next) => (rank(next.status) < rank(best.status) ? next : best));
      } else {
        for (const port of order) {
          sentTo.push(port);
          answer = await send(port);
          if (answer.status < 500) break;
        }
      }
      requests.push({ sentTo, status: answer.status });
      response.writeHead(answer.status, { 'content-type': answer.contentType });
      response.end(answer.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** 2xx first, then 4xx, then 5xx. */
function rank(status: number): number {
  return status < 300 ? 0 : status < 500 ? 1 : 2;
}

async function forward(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<Answer> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      signal: AbortSignal.timeout(10_000),
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? 'text/plain',
    };
  } catch (error) {
    return { status: 503, body: `replica on ${port} unreachable: ${String(error)}`, contentType: 'text/plain' };
  }
}

function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
