import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import {
  startMessagesDevSimulator,
  type MessagesDevSimulator,
  type SimulatorOptions,
} from '../../sandbox/imessage/index.js';
import { waitFor } from '../helpers/wait-for.js';

const LINE = '+15551234567';
const CONTACT = '+15559876543';
const SECRET = 'whsec_outage_test';

async function startSim(t: TestContext, options: SimulatorOptions = {}): Promise<MessagesDevSimulator> {
  const sim = await startMessagesDevSimulator({ outboxDelayMs: 10, webhookSecret: SECRET, ...options });
  t.after(() => sim.close());
  return sim;
}

/** A webhook receiver that answers each POST with the next status of `statuses` (the last one repeats). */
async function startReceiver(
  t: TestContext,
  statuses: number[] = [200],
): Promise<{ url: string; bodies: Array<{ raw: string; signature: string; timestamp: string }> }> {
  const bodies: Array<{ raw: string; signature: string; timestamp: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push({
        raw: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-webhook-signature']),
        timestamp: String(req.headers['x-webhook-timestamp']),
      });
      res.writeHead(statuses[Math.min(bodies.length, statuses.length) - 1] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

async function api(
  sim: MessagesDevSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const send = (sim: MessagesDevSimulator, text: string) =>
  api(sim, 'POST', '/messages', { from: LINE, to: CONTACT, text });

describe('messages.dev simulator outages', () => {
  it('503: refuses every API request unprocessed, except the listed ones; webhooks and blobs keep working', async (t) => {
    const sim = await startSim(t);
    const receiver = await startReceiver(t);
    assert.equal(
      (await api(sim, 'POST', '/webhooks', { from: LINE, url: receiver.url, events: ['message.received'] })).status,
      201,
    );
    await sim.simulateInbound({ from: CONTACT, text: 'hello' });

    sim.startOutage({ mode: '503', except: ['GET /lines'] });
    assert.equal(sim.outageActive, true);
    const refused = await send(sim, 'during the outage');
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body['error'], {
      type: 'api_error',
      code: 'service_unavailable',
      message: 'The service is temporarily unavailable.',
    });
    assert.match(String(refused.body['request_id']), /^req_/);
    assert.equal(sim.state.outbox.length, 0, 'nothing was processed');
    assert.equal((await api(sim, 'GET', '/lines')).status, 200, 'excepted');
    // A contact still texts the line, and the webhook still arrives.
    const inbound = await sim.simulateInbound({
      from: CONTACT,
      text: 'still there?',
      attachments: [{ filename: 'a.txt', mimeType: 'text/plain', data: Buffer.from('bytes') }],
    });
    assert.equal(inbound.deliveries[0]?.status, 200);
    assert.equal(receiver.bodies.length, 2);
    assert.equal((await fetch(String(inbound.message.attachments[0]?.url))).status, 200, 'blobs are not the API');

    assert.deepEqual(
      sim.outageRefusals.map((request) => [request.method, request.path, request.status]),
      [['POST', '/messages', 503]],
    );
    assert.equal(sim.requests.filter((request) => request.status === 503).length, 1);
    sim.endOutage();
    assert.equal(sim.outageActive, false);
    assert.equal((await send(sim, 'after')).status, 201);
  });

  it('429: answers rate_limit_exceeded with Retry-After and records requests that ignore it', async (t) => {
    const sim = await startSim(t);
    await sim.simulateInbound({ from: CONTACT, text: 'hello' });
    sim.startOutage({ mode: '429', retryAfterSec: 2 });
    const limited = await send(sim, 'one');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.deepEqual(
      [
        (limited.body['error'] as Record<string, unknown>)['type'],
        (limited.body['error'] as Record<string, unknown>)['code'],
      ],
      ['rate_limit_error', 'rate_limit_exceeded'],
    );
    assert.equal(sim.violations.length, 0);
    const early = await send(sim, 'two');
    assert.equal(early.status, 429);
    assert.deepEqual(
      sim.violations.map((request) => (request.body as Record<string, unknown>)['text']),
      ['two'],
    );
    assert.equal(sim.state.outbox.length, 0);
  });

  it('hang: holds requests unanswered and destroys them when the outage ends, unprocessed', async (t) => {
    const sim = await startSim(t);
    await sim.simulateInbound({ from: CONTACT, text: 'hello' });
    sim.startOutage({ mode: 'hang' });
    const pending = send(sim, 'held');
    const outcome = pending.then(
      () => 'answered',
      () => 'reset',
    );
    await waitFor(() => sim.outageRefusals.length === 1);
    assert.equal(sim.requests.at(-1)?.status, 0);
    const raced = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('still held'), 50))]);
    assert.equal(raced, 'still held');
    sim.endOutage();
    assert.equal(await outcome, 'reset');
    assert.equal(sim.state.outbox.length, 0);
    assert.equal((await send(sim, 'after')).status, 201);
  });

  it('ends by itself after durationMs; close() destroys held requests and does not hang', async (t) => {
    const sim = await startSim(t);
    sim.startOutage({ mode: '503', durationMs: 50 });
    assert.equal((await api(sim, 'GET', '/lines')).status, 503);
    await waitFor(() => !sim.outageActive);
    assert.equal((await api(sim, 'GET', '/lines')).status, 200);

    const closing = await startMessagesDevSimulator();
    closing.startOutage({ mode: 'hang', durationMs: 60_000 });
    const held = fetch(`${closing.apiUrl}/lines`, { headers: { Authorization: `Bearer ${closing.apiKey}` } });
    await waitFor(() => closing.outageRefusals.length === 1);
    await closing.close();
    await assert.rejects(held);
    assert.equal(closing.outageActive, false);
  });
});

describe('messages.dev simulator redelivery', () => {
  it('retries a webhook on the configured delays with the same delivery_id, freshly signed each time', async (t) => {
    let clock = 1_700_000_000_000;
    const sim = await startSim(t, {
      webhookRetries: 1000,
      webhookRetryDelaysMs: [20, 5],
      now: () => (clock += 7),
    });
    const receiver = await startReceiver(t, [500, 503, 500, 200]);
    await api(sim, 'POST', '/webhooks', { from: LINE, url: receiver.url, events: ['message.received'] });
    const { deliveries } = await sim.simulateInbound({ from: CONTACT, text: 'until acked' });
    assert.equal(deliveries[0]?.status, 200);
    const attempts = sim.deliveries.filter((d) => d.deliveryId === deliveries[0]?.deliveryId);
    assert.deepEqual(
      attempts.map((d) => [d.attempt, d.status]),
      [
        [1, 500],
        [2, 503],
        [3, 500],
        [4, 200],
      ],
    );
    const parsed = receiver.bodies.map((b) => JSON.parse(b.raw) as { delivery_id: string; timestamp: number });
    assert.equal(new Set(parsed.map((p) => p.delivery_id)).size, 1);
    assert.equal(new Set(parsed.map((p) => p.timestamp)).size, 4, 'a fresh timestamp on each attempt');
    for (const body of receiver.bodies) {
      assert.equal(body.signature, createHmac('sha256', SECRET).update(`${body.timestamp}.${body.raw}`).digest('hex'));
    }
  });

  it('cancels a pending redelivery on close()', async (t) => {
    const sim = await startMessagesDevSimulator({
      webhookSecret: SECRET,
      webhookRetries: 1000,
      webhookRetryDelaysMs: [30],
    });
    const receiver = await startReceiver(t, [500]);
    await api(sim, 'POST', '/webhooks', { from: LINE, url: receiver.url, events: ['message.received'] });
    const inbound = sim.simulateInbound({ from: CONTACT, text: 'never acked' });
    await waitFor(() => receiver.bodies.length >= 2);
    await sim.close();
    const { deliveries } = await inbound;
    // The last attempt failed: answered 500, or cut short ('error') when close() came while it was in flight.
    assert.ok([500, 'error'].includes(deliveries[0]?.status ?? 0), String(deliveries[0]?.status));
    const seen = receiver.bodies.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(receiver.bodies.length, seen, 'no attempt after close');
  });
});
