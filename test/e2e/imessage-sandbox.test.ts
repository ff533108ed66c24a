import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import {
  signWebhookBody,
  startMessagesDevSimulator,
  type MessagesDevSimulator,
  type SimulatorOptions,
} from '../../sandbox/imessage/index.js';
import { waitFor } from '../helpers/wait-for.js';

const LINE = '+15551234567';
const SECRET = 'whsec_test_bridge_123';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A plain node:http webhook receiver that records what it got. */
async function startReceiver(t: TestContext, status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function startSim(t: TestContext, options: SimulatorOptions = {}): Promise<MessagesDevSimulator> {
  const sim = await startMessagesDevSimulator({ outboxDelayMs: 10, webhookSecret: SECRET, ...options });
  t.after(() => sim.close());
  return sim;
}

interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Raw HTTP against the simulator, so these tests see the wire exactly. */
async function api(
  sim: MessagesDevSimulator,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = sim.apiKey,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (key !== null) headers['Authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

function errorOf(answer: ApiAnswer): Record<string, unknown> {
  return answer.body['error'] as Record<string, unknown>;
}

async function subscribe(sim: MessagesDevSimulator, url: string, events: string[]): Promise<string> {
  const created = await api(sim, 'POST', '/webhooks', { from: LINE, url, events });
  assert.equal(created.status, 201);
  return String(created.body['secret']);
}

describe('messages.dev simulator', () => {
  it('signs webhooks with the documented scheme (worked example of the spec)', () => {
    const body =
      '{"event":"message.received","data":{"id":"msg_abc123","line_id":"ln_abc123","line_handle":"+15551234567","chat_id":"cht_def456","guid":"5D8E2A1C-7B3F-4E9A-8C21-0F6B9D3E4A57","sender":"+15559876543","text":"Hey there!","attachments":[],"is_from_me":false,"is_audio_message":false,"sent_at":1710000000000,"synced_at":1710000000050,"reply_to_guid":null},"timestamp":1710000000123,"delivery_id":"dlv_0123456789abcdef0123456789abcdef"}';
    assert.equal(
      signWebhookBody(SECRET, 1710000000123, body),
      '9984ce2336051b8705facc7cb8b7f807122eee95c1ba61989c91b72d00f77eff',
    );
  });

  it('delivers an inbound message as a correctly signed message.received', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    const secret = await subscribe(sim, receiver.url, ['message.received']);
    assert.equal(secret, SECRET);

    const { message, chatId, deliveries } = await sim.simulateInbound({
      from: '+15559876543',
      text: 'Hey there!',
      attachments: [{ filename: 'memo.m4a', mimeType: 'audio/x-m4a', data: Buffer.from('voice'), transcription: 'hi' }],
      isAudioMessage: true,
    });
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0]?.status, 200);
    assert.equal(receiver.received.length, 1);
    const { headers, raw } = receiver.received[0]!;
    const parsed = JSON.parse(raw) as {
      event: string;
      data: Record<string, unknown>;
      timestamp: number;
      delivery_id: string;
    };
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['x-webhook-timestamp'], String(parsed.timestamp));
    assert.equal(headers['x-webhook-delivery-id'], parsed.delivery_id);
    assert.match(parsed.delivery_id, /^dlv_[0-9a-f]{32}$/);
    const expected = createHmac('sha256', SECRET).update(`${parsed.timestamp}.${raw}`).digest('hex');
    assert.equal(headers['x-webhook-signature'], expected);
    assert.equal(deliveries[0]?.body, raw);

    assert.equal(parsed.event, 'message.received');
    const { data } = parsed;
    assert.equal(data['id'], message.id);
    assert.equal(data['chat_id'], chatId);
    assert.equal(data['line_handle'], LINE);
    assert.equal(data['line_id'], sim.state.lines[0]?.id);
    assert.equal(data['sender'], '+15559876543');
    assert.equal(data['is_from_me'], false);
    assert.equal(data['is_audio_message'], true);
    assert.equal(data['outbox_id'], null);
    assert.equal('direction' in data, false);
    const [attachment] = data['attachments'] as Array<Record<string, unknown>>;
    assert.equal(attachment?.['transcription'], 'hi');
    assert.equal(attachment?.['size'], 5);
    const blob = await fetch(String(attachment?.['url']));
    assert.equal(blob.status, 200);
    assert.equal(blob.headers.get('content-type'), 'audio/x-m4a');
    assert.equal(await blob.text(), 'voice');
  });

  it('replays a delivery with the same delivery_id, a fresh timestamp and a valid signature', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    await subscribe(sim, receiver.url, ['message.received']);
    const { deliveries } = await sim.simulateInbound({ from: '+15550001111', text: 'once' });
    const replayed = await sim.replayDelivery(deliveries[0]!.deliveryId);
    assert.equal(replayed.deliveryId, deliveries[0]?.deliveryId);
    assert.equal(replayed.attempt, 2);
    assert.equal(receiver.received.length, 2);
    const [first, second] = receiver.received.map((r) => ({
      ...r,
      body: JSON.parse(r.raw) as Record<string, unknown>,
    }));
    assert.equal(second?.body['delivery_id'], first?.body['delivery_id']);
    assert.deepEqual(second?.body['data'], first?.body['data']);
    assert.ok(Number(second?.body['timestamp']) >= Number(first?.body['timestamp']));
    const signature = createHmac('sha256', SECRET)
      .update(`${String(second?.body['timestamp'])}.${second?.raw}`)
      .digest('hex');
    assert.equal(second?.headers['x-webhook-signature'], signature);
  });

  it('only delivers subscribed events to active webhooks of the line', async (t) => {
    const sim = await startSim(t, { lines: [{ handle: LINE }, { handle: '+15557654321' }] });
    const receiver = await startReceiver(t);
    await subscribe(sim, receiver.url, ['reaction.added']);
    await sim.simulateInbound({ from: '+15550002222', text: 'no event for this' });
    const { message } = await sim.simulateInbound({ line: '+15557654321', from: '+15550002222', text: 'other line' });
    await sim.simulateReaction({ line: '+15557654321', from: '+15550002222', messageId: message.id, type: 'like' });
    assert.equal(receiver.received.length, 0);
  });

  it('delivers reactions with chat_id and line_handle, and removals as reaction.removed', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    await subscribe(sim, receiver.url, ['reaction.added', 'reaction.removed']);
    const { message, chatId } = await sim.simulateInbound({ from: '+15550003333', text: 'react' });
    await sim.simulateReaction({ from: '+15550003333', messageId: message.guid, type: 'laugh' });
    await sim.simulateReaction({ from: '+15550003333', messageId: message.id, type: 'laugh', added: false });
    const bodies = receiver.received.map((r) => JSON.parse(r.raw) as { event: string; data: Record<string, unknown> });
    assert.deepEqual(
      bodies.map((b) => [b.event, b.data['message_id'], b.data['chat_id'], b.data['line_handle'], b.data['added']]),
      [
        ['reaction.added', message.id, chatId, LINE, true],
        ['reaction.removed', message.id, chatId, LINE, false],
      ],
    );
    const listed = await api(sim, 'GET', `/reactions?message_id=${message.id}`);
    assert.equal((listed.body['data'] as unknown[]).length, 2);
    assert.equal('chat_id' in ((listed.body['data'] as Array<Record<string, unknown>>)[0] ?? {}), false);
  });

  it('fails the next sends with the given reason and no message.sent', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    await subscribe(sim, receiver.url, ['message.sent']);
    await sim.simulateInbound({ from: '+15550004444', text: 'hi' });
    sim.failNextSends(1, 'Not Delivered');
    const failed = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550004444', text: 'one' });
    const ok = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550004444', text: 'two' });
    assert.equal(failed.status, 201);
    assert.deepEqual([failed.body['status'], ok.body['status']], ['pending', 'pending']);

    const sent = await sim.waitForDelivery({ event: 'message.sent' });
    const sentData = (JSON.parse(sent.body) as { data: Record<string, unknown> }).data;
    assert.equal(sentData['outbox_id'], ok.body['id']);
    assert.equal(sentData['is_from_me'], true);
    assert.equal(sentData['sender'], LINE);
    const item = await waitFor(async () => {
      const answer = await api(sim, 'GET', `/outbox?id=${String(failed.body['id'])}`);
      return answer.body['status'] === 'failed' && answer.body;
    });
    assert.equal(item['error'], 'Not Delivered');
    assert.equal(typeof item['completed_at'], 'number');
    assert.deepEqual(item['payload'], { from: LINE, to: '+15550004444', text: 'one' });
    assert.match(String(item['request_id']), /^req_/);
    assert.equal(sim.deliveries.filter((d) => d.event === 'message.sent').length, 1);
  });

  it('allows at most one attachment per message', async (t) => {
    const sim = await startSim(t);
    await sim.simulateInbound({ from: '+15550005555', text: 'hi' });
    const ids: string[] = [];
    for (const name of ['a.txt', 'b.txt']) {
      const response = await fetch(`${sim.apiUrl}/files`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'text/plain', 'X-Filename': name },
        body: name,
      });
      assert.equal(response.status, 201);
      ids.push(String(((await response.json()) as Record<string, unknown>)['id']));
    }
    const two = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550005555', attachments: ids });
    assert.equal(two.status, 400);
    assert.deepEqual(errorOf(two)['code'], 'invalid_parameter_value');
    assert.deepEqual(errorOf(two)['param'], 'attachments');
    const one = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550005555', attachments: [ids[0]] });
    assert.equal(one.status, 201);
    const none = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550005555' });
    assert.equal(errorOf(none)['code'], 'missing_required_parameter');
  });

  it('enforces contact-first, also after the line texted a new contact from the phone', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    await subscribe(sim, receiver.url, ['message.sent']);
    const cold = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550006666', text: 'cold' });
    assert.equal(cold.status, 403);
    assert.deepEqual(errorOf(cold), {
      type: 'invalid_request_error',
      code: 'contact_has_not_messaged',
      message: 'Cannot send to a contact who has not messaged this line first.',
      param: 'to',
    });
    assert.match(String(cold.body['request_id']), /^req_/);

    const { message, deliveries } = await sim.simulateSentFromPhone({ to: '+15550006666', text: 'from my phone' });
    assert.equal(message.outbox_id, null);
    assert.equal(deliveries[0]?.event, 'message.sent');
    const stillCold = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550006666', text: 'x' });
    assert.equal(stillCold.status, 403);

    await sim.simulateInbound({ from: '+15550006666', text: 'ok now' });
    const warm = await api(sim, 'POST', '/messages', { from: LINE, to: '+15550006666', text: 'x' });
    assert.equal(warm.status, 201);
    const unknownChat = await api(sim, 'POST', '/messages', { from: LINE, to: 'cht_nope', text: 'x' });
    assert.equal(unknownChat.status, 404);
    assert.equal(errorOf(unknownChat)['code'], 'chat_not_found');
  });

  it('sends into a group chat by cht_ id', async (t) => {
    const sim = await startSim(t);
    const { chatId } = await sim.simulateInbound({
      from: '+15550007777',
      groupParticipants: ['+15550008888'],
      groupName: 'Movers',
      text: 'group hello',
    });
    const chats = await api(sim, 'GET', `/chats?from=${encodeURIComponent(LINE)}`);
    const group = (chats.body['data'] as Array<Record<string, unknown>>).find((c) => c['id'] === chatId);
    assert.equal(group?.['is_group'], true);
    assert.equal(group?.['name'], 'Movers');
    assert.deepEqual(group?.['participants'], ['+15550007777', '+15550008888']);
    const sent = await api(sim, 'POST', '/messages', { from: LINE, to: chatId, text: 'hi all' });
    assert.equal(sent.status, 201);
    await waitFor(() => sim.state.messages.get(chatId)?.length === 2);
  });

  it('enforces the hourly budget per key with 429 and Retry-After', async (t) => {
    const sim = await startSim(t, { hourlyBudget: 3, apiKeys: ['sk_live_a', 'sk_live_b'] });
    for (let i = 0; i < 3; i++) assert.equal((await api(sim, 'GET', '/lines')).status, 200);
    const limited = await api(sim, 'GET', '/lines');
    assert.equal(limited.status, 429);
    assert.deepEqual([errorOf(limited)['type'], errorOf(limited)['code']], ['rate_limit_error', 'rate_limit_exceeded']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 3590 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.equal((await api(sim, 'GET', '/lines', undefined, 'sk_live_b')).status, 200);
  });

  it('records a request that ignores the budget’s Retry-After as a violation', async (t) => {
    const sim = await startSim(t, { hourlyBudget: 1 });
    assert.equal((await api(sim, 'GET', '/lines')).status, 200);
    assert.equal((await api(sim, 'GET', '/lines')).status, 429);
    assert.equal(sim.violations.length, 0);
    assert.equal((await api(sim, 'GET', '/lines')).status, 429);
    assert.deepEqual(
      sim.violations.map((request) => [request.path, request.status]),
      [['/lines', 429]],
    );
  });

  it('limits sends per line when sendsPerLine is set, with Retry-After and violations', async (t) => {
    let clock = Date.parse('2024-05-01T12:00:00Z');
    const OTHER = '+15557654321';
    const sim = await startSim(t, {
      now: () => clock,
      lines: [{ handle: LINE }, { handle: OTHER }],
      sendsPerLine: { count: 2, perMs: 1500 },
    });
    const { message } = await sim.simulateInbound({ from: '+15550005555', text: 'hi' });
    await sim.simulateInbound({ line: OTHER, from: '+15550005555', text: 'hi' });
    const sendFrom = (from: string, text: string) => api(sim, 'POST', '/messages', { from, to: '+15550005555', text });
    assert.equal((await sendFrom(LINE, 'one')).status, 201);
    clock += 500;
    const reaction = await api(sim, 'POST', '/reactions', {
      from: LINE,
      to: '+15550005555',
      message_id: message.id,
      type: 'like',
    });
    assert.equal(reaction.status, 201, 'a tapback is a send too');
    // Typing is not a send; a refused or invalid write does not count.
    assert.equal((await api(sim, 'POST', '/typing', { from: LINE, to: '+15550005555' })).status, 201);
    const limited = await sendFrom(LINE, 'three');
    assert.equal(limited.status, 429);
    assert.deepEqual([errorOf(limited)['type'], errorOf(limited)['code']], ['rate_limit_error', 'rate_limit_exceeded']);
    // The first send leaves the 1500 ms window 1000 ms from now.
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal((await sendFrom(OTHER, 'other line')).status, 201, 'each line has its own window');
    assert.equal(sim.violations.length, 0);
    clock += 400;
    assert.equal((await sendFrom(LINE, 'too early')).status, 429);
    assert.deepEqual(
      sim.violations.map((request) => (request.body as Record<string, unknown>)['text']),
      ['too early'],
    );
    clock += 600;
    assert.equal((await sendFrom(LINE, 'on time')).status, 201);
    await waitFor(() => sim.state.outbox.filter((item) => item.kind === 'message').length === 3);
  });

  it('answers errors in the documented envelope', async (t) => {
    const sim = await startSim(t);
    const missingKey = await api(sim, 'GET', '/lines', undefined, null);
    assert.deepEqual([missingKey.status, errorOf(missingKey)['code']], [401, 'missing_api_key']);
    const badJson = await api(sim, 'POST', '/messages', '{"from":');
    assert.deepEqual([badJson.status, errorOf(badJson)['code']], [400, 'invalid_json']);
    const noFrom = await api(sim, 'POST', '/messages', { to: '+1' });
    assert.deepEqual(
      [noFrom.status, errorOf(noFrom)['code'], errorOf(noFrom)['param']],
      [400, 'missing_required_parameter', 'from'],
    );
    const typingHook = await api(sim, 'POST', '/webhooks', {
      from: LINE,
      url: 'https://x.example',
      events: ['typing.started'],
    });
    assert.deepEqual([typingHook.status, errorOf(typingHook)['code']], [400, 'invalid_parameter_value']);
    const sms = await startSim(t, { lines: [{ handle: '+15553334444', service: 'sms' }] });
    await sms.simulateInbound({ from: '+15550009999', text: 'hi' });
    const upload = await fetch(`${sms.apiUrl}/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sms.apiKey}`, 'Content-Type': 'audio/mp4' },
      body: 'm4a',
    });
    const fileId = String(((await upload.json()) as Record<string, unknown>)['id']);
    const audio = await api(sms, 'POST', '/audio-messages', {
      from: '+15553334444',
      to: '+15550009999',
      audio_message: fileId,
    });
    assert.deepEqual([audio.status, errorOf(audio)['code']], [400, 'advanced_features_required']);
    const redirect = await api(sms, 'GET', `/files?id=${fileId}`);
    assert.equal(redirect.status, 302);
    assert.match(String(redirect.headers.get('location')), /\/blobs\/[0-9a-f]+$/);
    assert.match(String(redirect.body['request_id']), /^req_/);
  });

  it('records an unreachable webhook target as an error and retries when asked', async (t) => {
    const sim = await startSim(t, { webhookRetries: 1 });
    const gone = await startMessagesDevSimulator();
    const deadUrl = `${gone.url}/hook`;
    await gone.close();
    await subscribe(sim, deadUrl, ['message.received']);
    const { deliveries } = await sim.simulateInbound({ from: '+15550001234', text: 'anyone?' });
    assert.equal(deliveries[0]?.status, 'error');
    const attempts = sim.deliveries.filter((d) => d.deliveryId === deliveries[0]?.deliveryId);
    assert.deepEqual(
      attempts.map((d) => [d.attempt, d.status]),
      [
        [1, 'error'],
        [2, 'error'],
      ],
    );
  });
});
