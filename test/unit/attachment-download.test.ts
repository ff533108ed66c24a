import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { slackFileOpener } from '../../bridges/slack/files.js';
import { downloadCapped, readAll } from '../../src/core/attachment-download.js';
import { BridgeError } from '../../src/core/errors.js';

const seen: IncomingHttpHeaders[] = [];
const server = createServer((request, response) => {
  seen.push(request.headers);
  const size = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('size') ?? 0);
  const body = Buffer.alloc(size, 'a');
  if (request.url?.includes('chunked')) {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.write(body.subarray(0, size / 2));
    response.end(body.subarray(size / 2));
  } else if (request.url?.includes('redirect')) {
    response.writeHead(302, { location: '/login' }).end();
  } else {
    response.writeHead(200, { 'content-length': String(size) }).end(body);
  }
});
let origin = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BridgeError, String(error));
    return error.code;
  }
  return 'ok';
}

describe('downloadCapped', () => {
  it('streams a file within the cap', async () => {
    const body = await downloadCapped('slack', new URL(`${origin}/f?size=100`), { name: 'f', maxBytes: 100 });
    assert.equal((await readAll(body)).length, 100);
    assert.equal(body.size, 100);
  });

  it('refuses a file whose Content-Length is over the cap before reading it', async () => {
    assert.equal(
      await codeOf(downloadCapped('slack', new URL(`${origin}/f?size=101`), { name: 'f', maxBytes: 100 })),
      'too_large',
    );
  });

  it('fails the stream with too_large once more than the cap arrived without a Content-Length', async () => {
    const body = await downloadCapped('slack', new URL(`${origin}/chunked?size=200`), { name: 'f', maxBytes: 150 });
    assert.equal(await codeOf(readAll(body)), 'too_large');
  });

  it('does not follow a redirect (a login page is not the file)', async () => {
    assert.equal(
      await codeOf(downloadCapped('slack', new URL(`${origin}/redirect`), { name: 'f', maxBytes: 100 })),
      'platform_error',
    );
  });
});

describe('slackFileOpener', () => {
  it('sends the bot token only to Slack’s file hosts and the configured API origin', async () => {
    const open = slackFileOpener({ botToken: 'xoxb-secret', apiUrl: `${origin}/api/` });
    const before = seen.length;
    const refused = await codeOf(open({ name: 'x', mimeType: 'text/plain', ref: 'https://evil.example/x' }, 100));
    assert.equal(refused, 'unsupported');
    assert.equal(seen.length, before, 'nothing was fetched');
    const body = await open({ name: 'x', mimeType: 'text/plain', ref: `${origin}/f?size=3` }, 100);
    assert.equal((await readAll(body)).toString(), 'aaa');
    assert.equal(seen.at(-1)?.authorization, 'Bearer xoxb-secret');
  });
});
