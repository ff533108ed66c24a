import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createPostMessage } from '../../bridges/slack/post-message.js';
import { translateSlackError, SlackPlatformError } from '../../bridges/slack/web.js';
import { PlatformError, RateLimitedError } from '../../src/core/errors.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local server answering every request with `answer`, recording what it was sent. */
async function serve(
  t: { after(fn: () => Promise<void>): void },
  answer: (seen: Seen, response: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

describe('Slack chat.postMessage as a plain request', () => {
  it('posts JSON with the bot token and returns the ts', async (t) => {
    const server = await serve(t, (_seen, response) => json(response, 200, { ok: true, ts: '1700000000.000100' }));
    const post = createPostMessage({ apiUrl: `${server.url}api/`, token: 'xoxb-1', timeoutMs: 5_000 });
    const result = await post({
      channel: 'C1',
      thread_ts: '1.2',
      text: 'hi',
      metadata: { event_type: 'x', event_payload: { a: 1 } },
    });
    assert.deepEqual(result, { ts: '1700000000.000100' });
    const [request] = server.seen;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/api/chat.postMessage');
    assert.equal(request?.headers.authorization, 'Bearer xoxb-1');
    assert.match(String(request?.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(request?.body ?? ''), {
      channel: 'C1',
      thread_ts: '1.2',
      text: 'hi',
      metadata: { event_type: 'x', event_payload: { a: 1 } },
    });
  });

  it('reports refusals, 429s, HTTP errors, lost connections and answers without a ts as the Web API client does', async (t) => {
    const answers: ((response: ServerResponse) => void)[] = [
      (response) => json(response, 200, { ok: false, error: 'channel_not_found' }),
      (response) => json(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' }),
      (response) => json(response, 503, { ok: false }),
      (response) => response.socket?.destroy(),
      (response) => json(response, 200, { ok: true }),
    ];
    const server = await serve(t, (_seen, response) => answers.shift()?.(response));
    const post = createPostMessage({ apiUrl: server.url, token: 'xoxb-1', timeoutMs: 5_000 });
    const outcome = async () => {
      try {
        await post({ channel: 'C1', text: 'hi' });
        return undefined;
      } catch (error) {
        return translateSlackError(error, 'chat.postMessage');
      }
    };

    const refused = await outcome();
    assert.ok(refused instanceof SlackPlatformError);
    assert.equal(refused.slackCode, 'channel_not_found');
    assert.equal(refused.retryable, false);

    const limited = await outcome();
    assert.ok(limited instanceof RateLimitedError);
    assert.equal(limited.retryAfterMs, 7_000);

    const unavailable = await outcome();
    assert.ok(unavailable instanceof PlatformError);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.retryable, true);

    // A post cut off mid-request may have landed: its outcome is unknown, not retried blindly.
    const lost = await outcome();
    assert.ok(lost instanceof PlatformError);
    assert.equal(lost.code, 'outcome_unknown');

    // An answer that names no post cannot be linked: reconciled, not recorded under a made-up id.
    const unnamed = await outcome();
    assert.ok(unnamed instanceof PlatformError);
    assert.equal(unnamed.code, 'outcome_unknown');
  });
});
