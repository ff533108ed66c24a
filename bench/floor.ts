/**
 * The floor for webhook ingest: a bare node:http server, run as a child process, that verifies the messages.dev
 * signature (the daemon's own `verifyWebhookSignature`: HMAC-SHA256 over `<timestamp>.<raw body>`, 5-minute
 * window) and answers 200, nothing else: no JSON parsing, no journal, no fsync. What any webhook receiver on this
 * machine and Node version must at least spend.
 *
 * Child: `node --import tsx bench/floor.ts <secret>` prints `{"port": N}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verifyWebhookSignature } from '../bridges/imessage/webhook.js';
import { listeningUrl, spawnTs, type Child } from './child.js';

const self = fileURLToPath(import.meta.url);

export interface ChildServer {
  readonly url: string;
  readonly process: Child;
}

/** Starts the floor server as a child process. */
export async function startFloor(secret: string): Promise<ChildServer> {
  const child = spawnTs(self, [secret]);
  return { url: await listeningUrl(child, 'floor server'), process: child };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function serve(secret: string): void {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let status = 200;
      try {
        verifyWebhookSignature({
          rawBody: Buffer.concat(chunks),
          signature: header(request.headers['x-webhook-signature']),
          timestamp: header(request.headers['x-webhook-timestamp']),
          secret,
          now: Date.now,
        });
      } catch {
        status = 401;
      }
      const body = status === 200 ? '{"ok":true}' : '{"error":{"code":"signature_invalid"}}';
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
  });
  process.once('SIGTERM', () => process.exit(0));
}

if (process.argv[1] === self) serve(process.argv[2] ?? '');
