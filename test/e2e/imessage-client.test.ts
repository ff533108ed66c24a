import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { MessagesDevApiError, parseRetryAfter } from '../../bridges/imessage/client-errors.js';
import { createMessagesDevClient, type MessagesDevClient } from '../../bridges/imessage/client.js';
import { BridgeError, PlatformError, RateLimitedError } from '../../src/core/errors.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { waitFor } from '../helpers/wait-for.js';

const LINE = '+15551234567';
let contactCounter = 0;

function nextContact(): string {
  contactCounter += 1;
  return `+1555000${String(contactCounter).padStart(4, '0')}`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Asserts that `promise` rejects with an instance of `type` and returns that error for further checks. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a ${type.name} rejection`);
}

async function startSimWithClient(
  options: Parameters<typeof startMessagesDevSimulator>[0] = {},
  timeoutMs?: number,
): Promise<{ sim: MessagesDevSimulator; client: MessagesDevClient }> {
  const sim = await startMessagesDevSimulator({ outboxDelayMs: 10, ...options });
  const client = createMessagesDevClient({
    apiUrl: sim.apiUrl,
    apiKey: sim.apiKey,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { sim, client };
}

describe('messages.dev client against the simulator', () => {
  let sim: MessagesDevSimulator;
  let client: MessagesDevClient;
  let fastClient: MessagesDevClient;

  before(async () => {
    ({ sim, client } = await startSimWithClient());
    fastClient = createMessagesDevClient({ apiUrl: sim.apiUrl, apiKey: sim.apiKey, timeoutMs: 100 });
  });
  after(() => sim.close());

  it('sends a message and sees its outbox item go pending → claimed → sent', async () => {
    const contact = nextContact();
    const { message: inbound } = await sim.simulateInbound({ from: contact, text: 'hi' });
    const statuses: string[] = [];
    const onOutbox = (item: { status: string }): void => {
      statuses.push(item.status);
    };
    sim.on('outbox', onOutbox);

    const receipt = await client.sendMessage({ from: LINE, to: contact, text: 'hello back', replyTo: inbound.id });
    assert.match(receipt.id, /^obx_/);
    assert.equal(receipt.status, 'pending');
    assert.match(receipt.requestId ?? '', /^req_/);
    const sent = await waitFor(async () => {
      const item = await client.getOutboxItem(receipt.id);
      return item.status === 'sent' && item;
    });
    sim.off('outbox', onOutbox);
    assert.deepEqual(statuses, ['pending', 'claimed', 'sent']);
    assert.equal(sent.error, null);
    assert.ok(sent.completedAt !== null);
    assert.deepEqual(sent.payload, { from: LINE, to: contact, text: 'hello back', reply_to: inbound.id });

    const recorded = await sim.waitForRequest({ method: 'POST', path: '/messages' });
    assert.equal(recorded.status, 201);
    assert.deepEqual(recorded.body, { from: LINE, to: contact, text: 'hello back', reply_to: inbound.id });

    const [newest] = await firstN(client.listMessages({ from: LINE, to: contact }), 1);
    assert.equal(newest?.outboxId, receipt.id);
    assert.equal(newest?.isFromMe, true);
    assert.equal(newest?.sender, LINE);
    assert.equal(newest?.replyToGuid, inbound.guid);
  });

  it('sends reactions, typing, read receipts and audio messages as outbox items', async () => {
    const contact = nextContact();
    const { message } = await sim.simulateInbound({ from: contact, text: 'react to me' });
    const reaction = await client.sendReaction({ from: LINE, to: contact, messageId: message.guid, type: 'love' });
    const typing = await client.sendTyping({ from: LINE, to: contact, state: 'off' });
    const read = await client.sendReadReceipt({ from: LINE, to: contact });
    const audio = await client.uploadFile({ data: Buffer.from('fake m4a'), mimeType: 'audio/mp4', filename: 'v.m4a' });
    const voice = await client.sendAudioMessage({ from: LINE, to: contact, audioMessage: audio.id });
    for (const receipt of [reaction, typing, read, voice]) {
      await waitFor(async () => (await client.getOutboxItem(receipt.id)).status === 'sent');
    }
    const reactions = await client.listReactions(message.id);
    assert.deepEqual(
      reactions.map((r) => [r.type, r.isFromMe, r.added, r.messageId]),
      [['love', true, true, message.id]],
    );
    const typingBody = (await sim.waitForRequest({ method: 'POST', path: '/typing' })).body;
    assert.deepEqual(typingBody, { from: LINE, to: contact, state: 'off' });
    const [newest] = await firstN(client.listMessages({ from: LINE, to: contact }), 1);
    assert.equal(newest?.isAudioMessage, true);
    assert.equal(newest?.attachments[0]?.mimeType, 'audio/mp4');
  });

  it('lists lines in camelCase', async () => {
    const lines = await client.listLines();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.handle, LINE);
    assert.equal(lines[0]?.isActive, true);
    assert.equal(lines[0]?.service, 'imessage');
    assert.match(lines[0]?.id ?? '', /^ln_/);
  });

  it('turns 403 contact_has_not_messaged into a MessagesDevApiError the team should see', async () => {
    const error = await rejection(
      client.sendMessage({ from: LINE, to: nextContact(), text: 'cold' }),
      MessagesDevApiError,
    );
    assert.equal(error.status, 403);
    assert.equal(error.apiCode, 'contact_has_not_messaged');
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param, 'to');
    assert.match(error.requestId ?? '', /^req_/);
    assert.equal(error.code, 'platform_error');
    assert.equal(error.bridge, 'imessage');
    assert.equal(error.retryable, false);
    assert.equal(error.notifyUser, true);
  });

  it('maps 404s to code not_found with the platform code', async () => {
    const missing = await rejection(client.getOutboxItem('obx_doesnotexist'), MessagesDevApiError);
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'not_found');
    assert.equal(missing.apiCode, 'outbox_item_not_found');
    const noLine = await rejection(client.listChatsPage({ from: '+19999999999' }), MessagesDevApiError);
    assert.equal(noLine.apiCode, 'line_not_found');
    assert.equal(noLine.param, 'from');
  });

  it('maps a bad key to 401 invalid_api_key', async () => {
    const badClient = createMessagesDevClient({ apiUrl: sim.apiUrl, apiKey: 'sk_live_wrong' });
    const error = await rejection(badClient.listLines(), MessagesDevApiError);
    assert.equal(error.status, 401);
    assert.equal(error.apiCode, 'invalid_api_key');
    assert.equal(error.retryable, false);
  });

  it('marks 5xx retryable and does not retry by itself', async () => {
    const contact = nextContact();
    await sim.simulateInbound({ from: contact, text: 'hi' });
    const outboxBefore = sim.state.outbox.length;
    const since = sim.requests.length;
    sim.inject({ method: 'POST', path: '/messages', status: 503 });
    const error = await rejection(client.sendMessage({ from: LINE, to: contact, text: 'x' }), MessagesDevApiError);
    assert.equal(error.status, 503);
    assert.equal(error.retryable, true);
    assert.equal(error.type, 'api_error');
    assert.equal(sim.state.outbox.length, outboxBefore);
    assert.equal(sim.requests.slice(since).filter((r) => r.path === '/messages').length, 1);
  });

  it('turns 429 with Retry-After seconds into RateLimitedError with the wait in ms', async () => {
    sim.inject({ method: 'GET', path: '/lines', status: 429, retryAfter: '7' });
    const error = await rejection(client.listLines(), RateLimitedError);
    assert.equal(error.retryAfterMs, 7000);
    assert.equal(error.bridge, 'imessage');
    assert.equal(error.retryable, true);
    assert.ok(error.cause instanceof MessagesDevApiError);
    assert.equal(error.cause.apiCode, 'rate_limit_exceeded');
    assert.match(error.cause.requestId ?? '', /^req_/);
  });

  it('turns 429 with an HTTP-date Retry-After into the remaining wait', async () => {
    sim.inject({ path: '/lines', status: 429, retryAfter: new Date(Date.now() + 30_000).toUTCString() });
    const error = await rejection(client.listLines(), RateLimitedError);
    const wait = error.retryAfterMs ?? -1;
    // HTTP-dates have 1 s granularity.
    assert.ok(wait > 28_000 && wait <= 30_000, `retryAfterMs ${wait}`);
  });

  it('leaves retryAfterMs undefined when a 429 has no Retry-After', async () => {
    sim.inject({ path: '/lines', status: 429 });
    const error = await rejection(client.listLines(), RateLimitedError);
    assert.equal(error.retryAfterMs, undefined);
  });

  it('reports a hanging GET as a retryable timeout', async () => {
    sim.inject({ method: 'GET', path: '/lines', hang: true });
    const error = await rejection(fastClient.listLines(), PlatformError);
    assert.equal(error.code, 'timeout');
    assert.equal(error.retryable, true);
  });

  it('reports a hanging POST as outcome_unknown, never retryable', async () => {
    const contact = nextContact();
    await sim.simulateInbound({ from: contact, text: 'hi' });
    sim.inject({ method: 'POST', path: '/messages', hang: true });
    const error = await rejection(fastClient.sendMessage({ from: LINE, to: contact, text: 'x' }), PlatformError);
    assert.equal(error.code, 'outcome_unknown');
    assert.equal(error.retryable, false);
  });

  it('reports a connection dropped after a POST was applied as outcome_unknown', async () => {
    const contact = nextContact();
    await sim.simulateInbound({ from: contact, text: 'hi' });
    const outboxBefore = sim.state.outbox.length;
    sim.inject({ method: 'POST', path: '/messages', reset: true });
    const error = await rejection(client.sendMessage({ from: LINE, to: contact, text: 'x' }), PlatformError);
    assert.equal(error.code, 'outcome_unknown');
    assert.equal(error.retryable, false);
    assert.equal(sim.state.outbox.length, outboxBefore + 1, 'the send really happened');
    sim.inject({ method: 'GET', path: '/lines', reset: true });
    const readError = await rejection(client.listLines(), PlatformError);
    assert.equal(readError.code, 'network_error');
    assert.equal(readError.retryable, true);
  });

  it('reports connection refused as a retryable network_error, even for a POST', async () => {
    const closed = await startMessagesDevSimulator();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const offline = createMessagesDevClient({ apiUrl, apiKey: 'sk_live_test' });
    const error = await rejection(offline.sendMessage({ from: LINE, to: '+1', text: 'x' }), PlatformError);
    assert.equal(error.code, 'network_error');
    assert.equal(error.retryable, true);
  });

  it('uploads and downloads a file, sending the key to the API only', async () => {
    const bytes = randomBytes(64 * 1024);
    const since = sim.requests.length;
    const file = await client.uploadFile({ data: bytes, filename: 'photo.jpg', mimeType: 'image/jpeg' });
    assert.match(file.id, /^file_/);
    assert.equal(file.size, bytes.length);
    assert.equal(file.mimeType, 'image/jpeg');
    assert.equal(file.filename, 'photo.jpg');
    const upload = await sim.waitForRequest({ method: 'POST', path: '/files', since });
    assert.equal(upload.headers['x-filename'], 'photo.jpg');

    const location = await client.getFileUrl(file.id);
    assert.ok(location.startsWith(`${sim.url}/blobs/`));
    const blobsBefore = sim.blobRequests.length;
    const download = await client.downloadFile({ id: file.id, maxBytes: 1024 * 1024 });
    assert.equal(download.mimeType, 'image/jpeg');
    assert.equal(download.size, bytes.length);
    assert.equal(download.filename, 'photo.jpg');
    assert.ok((await readAll(download.stream)).equals(bytes));

    const fileGets = sim.requests.slice(since).filter((r) => r.method === 'GET' && r.path === '/files');
    assert.equal(fileGets.length, 2);
    assert.ok(fileGets.every((r) => r.headers.authorization === `Bearer ${sim.apiKey}` && r.status === 302));
    const blobHits = sim.blobRequests.slice(blobsBefore);
    assert.equal(blobHits.length, 1);
    assert.equal(blobHits[0]?.headers.authorization, undefined);
  });

  it('uploads a stream without buffering it first', async () => {
    const parts = [Buffer.from('part one, '), Buffer.from('part two')];
    const file = await client.uploadFile({ data: Readable.from(parts), filename: 'notes.txt', mimeType: 'text/plain' });
    const stored = sim.state.files.find((f) => f.id === file.id);
    assert.ok(stored?.data.equals(Buffer.concat(parts)));
  });

  it('rejects an empty upload with empty_file', async () => {
    const error = await rejection(client.uploadFile({ data: Buffer.alloc(0) }), MessagesDevApiError);
    assert.equal(error.apiCode, 'empty_file');
  });

  it('refuses a file above maxBytes up front from Content-Length', async () => {
    const file = await client.uploadFile({ data: randomBytes(100), mimeType: 'application/pdf' });
    const blobsBefore = sim.blobRequests.length;
    const error = await rejection(client.downloadFile({ id: file.id, maxBytes: 99 }), BridgeError);
    assert.equal(error.code, 'too_large');
    assert.equal(sim.blobRequests.length, blobsBefore + 1);
  });

  it('downloads an inbound attachment by URL without the key, and refuses foreign URLs', async () => {
    const audio = randomBytes(2048);
    const { message } = await sim.simulateInbound({
      from: nextContact(),
      attachments: [{ filename: 'memo.m4a', mimeType: 'audio/x-m4a', data: audio, transcription: 'call me' }],
      isAudioMessage: true,
    });
    const url = message.attachments[0]?.url ?? '';
    const blobsBefore = sim.blobRequests.length;
    const download = await client.downloadFile({ url, maxBytes: 10_000 });
    assert.ok((await readAll(download.stream)).equals(audio));
    assert.equal(sim.blobRequests[blobsBefore]?.headers.authorization, undefined);

    for (const foreign of ['https://evil.example/blobs/x', 'file:///etc/passwd', 'not a url']) {
      const error = await rejection(client.downloadFile({ url: foreign, maxBytes: 10 }), BridgeError);
      assert.equal(error.code, 'unsupported', foreign);
    }
    assert.equal(sim.blobRequests.length, blobsBefore + 1);
  });

  it('pages through more than 100 chats with a limit', async () => {
    const own = await startSimWithClient({ lines: [{ handle: LINE }] });
    after(() => own.sim.close());
    for (let i = 0; i < 120; i++) await own.sim.simulateInbound({ from: `+1666000${String(i).padStart(4, '0')}` });
    const ids: string[] = [];
    for await (const chat of own.client.listChats({ from: LINE, limit: 50 })) ids.push(chat.id);
    assert.equal(ids.length, 120);
    assert.equal(new Set(ids).size, 120);
    const pages = own.sim.requests.filter((r) => r.path === '/chats');
    assert.deepEqual(
      pages.map((r) => [r.query['limit'], r.query['cursor'] === undefined]),
      [
        ['50', true],
        ['50', false],
        ['50', false],
      ],
    );
    const tooBig = await rejection(own.client.listChatsPage({ from: LINE, limit: 101 }), MessagesDevApiError);
    assert.equal(tooBig.apiCode, 'invalid_parameter_value');
    assert.equal(tooBig.param, 'limit');
  });

  it('pages through more than 100 messages, newest first', async () => {
    const contact = nextContact();
    for (let i = 0; i < 130; i++) await sim.simulateInbound({ from: contact, text: `m${i}` });
    const texts: string[] = [];
    for await (const message of client.listMessages({ from: LINE, to: contact, limit: 100 })) {
      texts.push(message.text ?? '');
    }
    assert.equal(texts.length, 130);
    assert.equal(texts[0], 'm129');
    assert.equal(texts[129], 'm0');
    const page = await client.listMessagesPage({ from: LINE, to: contact, limit: 100 });
    assert.equal(page.hasMore, true);
    assert.ok(page.nextCursor);
    const rest = await client.listMessagesPage({ from: LINE, to: contact, limit: 100, cursor: page.nextCursor });
    assert.equal(rest.hasMore, false);
    assert.equal(rest.nextCursor, null);
    assert.equal(rest.data.length, 30);
  });

  it('creates, lists and deletes webhooks (DELETE carries a JSON body)', async () => {
    const created = await client.createWebhook({
      from: LINE,
      url: 'https://bridge.example/webhooks/imessage',
      events: ['message.received', 'message.sent'],
    });
    assert.match(created.id, /^wh_/);
    assert.match(created.secret ?? '', /^whsec_/);
    assert.deepEqual(created.lineIds, [sim.state.lines[0]?.id]);
    assert.deepEqual(created.events, ['message.received', 'message.sent']);
    assert.equal(created.isActive, true);

    const listed = await client.listWebhooks({ from: LINE });
    const mine = listed.find((w) => w.id === created.id);
    assert.ok(mine);
    assert.equal(mine.secret, null);

    const deleted = await client.deleteWebhook(created.id);
    assert.deepEqual([deleted.id, deleted.deleted], [created.id, true]);
    const request = await sim.waitForRequest({ method: 'DELETE', path: '/webhooks' });
    assert.deepEqual(request.body, { id: created.id });
    assert.equal(request.headers['content-type'], 'application/json');
    const again = await rejection(client.deleteWebhook(created.id), MessagesDevApiError);
    assert.equal(again.apiCode, 'webhook_not_found');
    assert.equal(
      (await client.listWebhooks({ from: LINE })).some((w) => w.id === created.id),
      false,
    );
  });
});

describe('messages.dev client: hourly budget', () => {
  it('reports an exhausted budget with Retry-After in seconds', async (t) => {
    const { sim, client } = await startSimWithClient({ hourlyBudget: 2 });
    t.after(() => sim.close());
    await client.listLines();
    await client.listLines();
    const error = await rejection(client.listLines(), RateLimitedError);
    const wait = error.retryAfterMs ?? -1;
    assert.ok(wait > 3_590_000 && wait <= 3_600_000, `retryAfterMs ${wait}`);
  });

  it('reports an exhausted budget with Retry-After as an HTTP-date', async (t) => {
    const { sim, client } = await startSimWithClient({ hourlyBudget: 1, retryAfterFormat: 'http-date' });
    t.after(() => sim.close());
    await client.listLines();
    const error = await rejection(client.listLines(), RateLimitedError);
    const last = sim.requests.at(-1);
    assert.match(String(last?.headers['authorization']), /^Bearer /);
    const wait = error.retryAfterMs ?? -1;
    assert.ok(wait > 3_590_000 && wait <= 3_600_000, `retryAfterMs ${wait}`);
  });
});

describe('messages.dev client: downloads without Content-Length', () => {
  it('errors the stream with too_large once more than maxBytes flowed', async (t) => {
    const { sim, client } = await startSimWithClient({ blobContentLength: false });
    t.after(() => sim.close());
    const file = await client.uploadFile({ data: randomBytes(200_000), mimeType: 'video/mp4' });
    const download = await client.downloadFile({ id: file.id, maxBytes: 50_000 });
    assert.equal(download.size, undefined);
    const error = await rejection(readAll(download.stream), BridgeError);
    assert.equal(error.code, 'too_large');

    const small = await client.uploadFile({ data: Buffer.from('tiny'), mimeType: 'text/plain' });
    const ok = await client.downloadFile({ id: small.id, maxBytes: 4 });
    assert.equal((await readAll(ok.stream)).toString(), 'tiny');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  const cases: Array<[string | null | undefined, number | undefined]> = [
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3000],
    ['1.5', 1500],
    ['Fri, 01 May 2026 12:00:10 GMT', 10_000],
    ['Fri, 01 May 2026 11:59:00 GMT', 0],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
    ['soon', undefined],
    ['-5', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${String(expected)}`, () => {
      assert.equal(parseRetryAfter(input, now), expected);
    });
  }
});

async function firstN<T>(iterable: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}
