import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { signWebhook } from '../../bridges/imessage/webhook.js';
import { startMessagesDevSimulator, type MessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { startApp, type RunningApp } from '../helpers/app-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const secret = 'whsec_ingress_test';

async function setUp(t: TestContext): Promise<{ sim: MessagesDevSimulator; daemon: RunningApp; endpoint: string }> {
  const sim = await startMessagesDevSimulator({ webhookSecret: secret });
  t.after(() => sim.close());
  const daemon = await startApp(
    t,
    `imessage: { apiUrl: "${sim.apiUrl}", apiKey: ${sim.apiKey}, webhookSecret: ${secret} }`,
  );
  const endpoint = `${daemon.url}/webhooks/imessage`;
  await fetch(`${sim.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      from: '+15551234567',
      url: endpoint,
      events: ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'],
    }),
  });
  return { sim, daemon, endpoint };
}

function deliveryBody(timestamp: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'message.received',
    data: {
      id: 'msg_manual1',
      line_id: 'ln_1',
      line_handle: '+15551234567',
      chat_id: 'cht_manual',
      guid: 'G-1',
      sender: '+15550001111',
      text: 'hello',
      attachments: [],
      is_from_me: false,
      is_audio_message: false,
      sent_at: timestamp,
      synced_at: timestamp,
      reply_to_guid: null,
    },
    timestamp,
    delivery_id: 'dlv_manual',
    ...overrides,
  });
}

async function post(endpoint: string, body: string, headers: Record<string, string>) {
  const response = await fetch(endpoint, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { error?: { code: string } }) : undefined };
}

function signed(body: string, timestamp: number, contentType = 'application/json') {
  return {
    'content-type': contentType,
    'x-webhook-timestamp': String(timestamp),
    'x-webhook-signature': signWebhook(secret, timestamp, body),
    'x-webhook-delivery-id': 'dlv_manual',
  };
}

describe('POST /webhooks/imessage over real HTTP', () => {
  it('answers every bad input with its status and changes nothing', async (t) => {
    const { daemon, endpoint } = await setUp(t);
    const store = daemon.app.store!;
    const before = { dedupe: store.dedupe.size, journal: store.journal.size, conversations: store.conversations.size };
    const now = Date.now();
    const body = deliveryBody(now);
    const cases: [string, string, Record<string, string>, number, string][] = [
      [
        'bad signature',
        body,
        { ...signed(body, now), 'x-webhook-signature': 'f'.repeat(64) },
        401,
        'signature_invalid',
      ],
      [
        'missing signature',
        body,
        { 'content-type': 'application/json', 'x-webhook-timestamp': String(now) },
        401,
        'signature_invalid',
      ],
      [
        'body-only legacy signature',
        body,
        { ...signed(body, now), 'x-webhook-signature': createHmac('sha256', secret).update(body).digest('hex') },
        401,
        'signature_invalid',
      ],
      [
        'stale timestamp (6 minutes)',
        deliveryBody(now - 360_000),
        signed(deliveryBody(now - 360_000), now - 360_000),
        401,
        'signature_stale',
      ],
      [
        'body timestamp differing from the signed one',
        deliveryBody(now + 1),
        signed(deliveryBody(now + 1), now),
        401,
        'signature_invalid',
      ],
      ['malformed JSON', '{"event":', signed('{"event":', now), 400, 'malformed_body'],
      ['a JSON body that is not a delivery', '{"hello":1}', signed('{"hello":1}', now), 400, 'malformed_body'],
      ['oversize body', 'x'.repeat(70_000), signed('x'.repeat(70_000), now), 413, 'body_too_large'],
      ['non-JSON content type', body, signed(body, now, 'text/plain'), 415, 'unsupported_media_type'],
    ];
    for (const [name, payload, headers, status, code] of cases) {
      const answer = await post(endpoint, payload, headers);
      assert.equal(answer.status, status, name);
      assert.equal(answer.body?.error?.code, code, name);
    }
    assert.deepEqual(
      { dedupe: store.dedupe.size, journal: store.journal.size, conversations: store.conversations.size },
      before,
      'no bad input left a trace in the store',
    );
    assert.ok(daemon.lines.filter((line) => line.msg === 'Webhook rejected').length >= cases.length - 1);
  });

  it('acknowledges an unknown event type with 2xx, ignores it and logs it at debug', async (t) => {
    const { daemon, endpoint } = await setUp(t);
    const now = Date.now();
    const body = deliveryBody(now, { event: 'typing.started', data: { chat_id: 'cht_1' } });
    const answer = await post(endpoint, body, signed(body, now));
    assert.equal(answer.status, 202);
    const line = daemon.lines.find((entry) => entry.msg === 'Ignored webhook event of unknown type');
    assert.equal(line?.level, 'debug');
    assert.equal(line?.['event'], 'typing.started');
    assert.equal(daemon.app.store!.journal.size, 0);
  });

  it('processes a delivery replayed with the same delivery_id once', async (t) => {
    const { sim, daemon } = await setUp(t);
    const { deliveries, message } = await sim.simulateInbound({ from: '+15559876543', text: 'first' });
    const replay = await sim.replayDelivery(deliveries[0]!.deliveryId);
    assert.equal(replay.status, 200);
    assert.equal(replay.deliveryId, deliveries[0]!.deliveryId);
    const routed = () =>
      daemon.lines.filter(
        (line) => line.msg === 'No route for line; message not bridged' && line['conversation'] === message.chat_id,
      );
    await waitFor(() => routed().length === 1);
    assert.equal(daemon.lines.filter((line) => line.msg === 'Webhook accepted').length, 1);
    assert.equal(daemon.lines.filter((line) => line.msg === 'Webhook already processed').length, 1);
    await daemon.app.stop();
    assert.equal(routed().length, 1, 'the router saw the event exactly once');
  });

  it('reports readiness per platform as JSON and serves Prometheus metrics', async (t) => {
    const { daemon } = await setUp(t);
    const ready = await fetch(`${daemon.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      ready: true,
      status: 'ok',
      platforms: { imessage: 'connected' },
      degraded: [],
    });
    const metrics = await fetch(`${daemon.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await metrics.text(), /threadline_process_cpu_seconds_total/);
    const missing = await fetch(`${daemon.url}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});
