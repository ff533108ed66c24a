import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { plainRequest, type PlainResponse } from '../../bridges/discord/plain-request.js';
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

  it('reports refusals, 429s, HTTP errors and lost connections as the Web API client does', async (t) => {
    const answers: ((response: ServerResponse) => void)[] = [
      (response) => json(response, 200, { ok: false, error: 'channel_not_found' }),
      (response) => json(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' }),
      (response) => json(response, 503, { ok: false }),
      (response) => response.socket?.destroy(),
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
  });
});

describe("Discord's plain makeRequest", () => {
  it('sends the JSON body with its headers and answers with a whole, readable-once response', async (t) => {
    const server = await serve(t, (_seen, response) =>
      json(response, 200, { id: '42' }, { 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '4.25' }),
    );
    const response = (await plainRequest(`${server.url}api/v10/channels/1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bot t', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hi' }),
    })) as PlainResponse;
    assert.equal(server.seen[0]?.headers.authorization, 'Bot t');
    assert.deepEqual(JSON.parse(server.seen[0]?.body ?? ''), { content: 'hi' });
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.statusText, 'OK');
    assert.equal(response.headers.get('X-RateLimit-Remaining'), '4');
    // discord.js hands its listeners a spread copy: it must carry the headers too.
    assert.equal({ ...response }.headers.get('x-ratelimit-reset-after'), '4.25');
    assert.equal(response.bodyUsed, false);
    assert.deepEqual(await response.json(), { id: '42' });
    assert.equal(response.bodyUsed, true);
    await assert.rejects(response.text(), /already been read/);
  });

  it('answers errors with their status and body, and fails as fetch does when the server is gone', async (t) => {
    const server = await serve(t, (_seen, response) =>
      json(response, 404, { message: 'Unknown Channel', code: 10003 }),
    );
    const response = (await plainRequest(`${server.url}x`, { method: 'GET' })) as PlainResponse;
    assert.equal(response.status, 404);
    assert.equal(response.ok, false);
    assert.deepEqual(await response.json(), { message: 'Unknown Channel', code: 10003 });
    await assert.rejects(plainRequest('http://127.0.0.1:1/x', { method: 'GET' }), { code: 'ECONNREFUSED' });
  });

  it('leaves uploads (a form with files) to the global fetch', async (t) => {
    const server = await serve(t, (seen, response) => json(response, 200, { type: seen.headers['content-type'] }));
    const form = new FormData();
    form.append('files[0]', new Blob([Buffer.from('png')]), 'a.png');
    const response = await plainRequest(`${server.url}upload`, { method: 'POST', body: form });
    assert.ok(response instanceof Response, 'a fetch Response');
    assert.match(String(((await response.json()) as { type: string }).type), /^multipart\/form-data; boundary=/);
  });
});
