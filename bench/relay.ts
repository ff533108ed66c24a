/**
 * The floor for webhook → post latency: a bare relay, run as a child process. Per delivery it verifies the
 * signature, parses the JSON, answers 200, and makes one plain `fetch` per platform: `chat.postMessage` into a
 * Slack thread and `POST /channels/<thread>/messages` into a Discord thread it already knows. No store, no queue,
 * no retries, no pacing: what any bridge on this machine must at least spend between a webhook and the posts.
 *
 * Child: `node --import tsx bench/relay.ts '<json RelayTarget>'` prints `{"port": N}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verifyWebhookSignature } from '../bridges/imessage/webhook.js';
import { listeningUrl, spawnTs } from './child.js';
import type { ChildServer } from './floor.js';

const self = fileURLToPath(import.meta.url);

export interface RelayTarget {
  readonly secret: string;
  /** Slack Web API base ending in `/api/`, the bot token, the channel and the thread's root ts. */
  readonly slack: {
    readonly apiUrl: string;
    readonly token: string;
    readonly channel: string;
    readonly threadTs: string;
  };
  /** Discord REST base (`…/api`), the bot token and the thread id. */
  readonly discord: { readonly apiUrl: string; readonly token: string; readonly thread: string };
}

/** Starts the bare relay as a child process. */
export async function startRelay(target: RelayTarget): Promise<ChildServer> {
  const child = spawnTs(self, [JSON.stringify(target)]);
  return { url: await listeningUrl(child, 'bare relay'), process: child };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function relay(text: string, target: RelayTarget): void {
  const { slack, discord } = target;
  void fetch(`${slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ channel: slack.channel, thread_ts: slack.threadTs, text }),
  })
    .then((response) => response.arrayBuffer())
    .catch(() => undefined);
  void fetch(`${discord.apiUrl}/v10/channels/${discord.thread}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content: text, allowed_mentions: { parse: [] } }),
  })
    .then((response) => response.arrayBuffer())
    .catch(() => undefined);
}

function serve(target: RelayTarget): void {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let text: string | undefined;
      try {
        verifyWebhookSignature({
          rawBody,
          signature: header(request.headers['x-webhook-signature']),
          timestamp: header(request.headers['x-webhook-timestamp']),
          secret: target.secret,
          now: Date.now,
        });
        const delivery = JSON.parse(rawBody.toString('utf8')) as { data?: { text?: unknown } };
        text = typeof delivery.data?.text === 'string' ? delivery.data.text : '';
      } catch {
        text = undefined;
      }
      const body = text === undefined ? '{"error":{"code":"signature_invalid"}}' : '{"ok":true}';
      response.writeHead(text === undefined ? 401 : 200, {
        'content-type': 'application/json',
        'content-length': body.length,
      });
      response.end(body);
      if (text !== undefined) relay(text, target);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
  });
  process.once('SIGTERM', () => process.exit(0));
}

if (process.argv[1] === self) serve(JSON.parse(process.argv[2] ?? '{}') as RelayTarget);
