import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { apiKeyBucket, imessageDestinationConfig } from '../../bridges/imessage/destinations.js';
import { createImessageBridge } from '../../bridges/imessage/index.js';
import { parseConfig } from '../../src/app/load-config.js';
import { createSendQueues } from '../../src/queue/send-queues.js';
import { openMemoryStore } from '../../src/store/memory-store.js';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';

const lineA = '+15551234567';
const lineB = '+15557654321';

it('a send that first gets 429 Retry-After: 2 is delivered exactly once, no earlier than 2 s, while another line is not delayed', async (t) => {
  const sim = await startMessagesDevSimulator({ lines: [{ handle: lineA }, { handle: lineB }], webhookSecret: 's' });
  t.after(() => sim.close());
  const config = parseConfig(`imessage: { apiUrl: "${sim.apiUrl}", apiKey: ${sim.apiKey}, webhookSecret: s }`, 't', {});
  const registry = new Registry();
  const queues = createSendQueues({
    log: pino({ level: 'silent' }),
    registry,
    buckets: { [apiKeyBucket]: { limit: { count: 1000, perMs: 3_600_000 } } },
    destinations: imessageDestinationConfig(config.imessage),
  });
  t.after(() => queues.close());
  const store = await openMemoryStore({ pruneIntervalMs: 0 });
  const bridge = createImessageBridge({
    config: config.imessage,
    lines: [],
    queues,
    cursors: store.cursors,
    log: pino({ level: 'silent' }),
  });

  const alice = await sim.simulateInbound({ line: lineA, from: '+15550000001', text: 'hi A' });
  const bob = await sim.simulateInbound({ line: lineB, from: '+15550000002', text: 'hi B' });
  sim.inject({ method: 'POST', path: '/messages', status: 429, code: 'rate_limit_exceeded', retryAfter: '2' });

  const started = Date.now();
  const sendA = bridge
    .send(
      { line: lineA, chat: alice.chatId },
      { text: 'to A', openAttachment: bridge.openAttachment, idempotencyKey: 'a', replay: false },
    )
    .then((result) => ({ ...result, at: Date.now() - started }));
  await sim.waitForRequest({ method: 'POST', path: '/messages' });
  const sendB = bridge
    .send(
      { line: lineB, chat: bob.chatId },
      { text: 'to B', openAttachment: bridge.openAttachment, idempotencyKey: 'b', replay: false },
    )
    .then((result) => ({ ...result, at: Date.now() - started }));

  const [a, b] = await Promise.all([sendA, sendB]);
  assert.ok(b.at < 1000, `line B was not delayed (${b.at} ms)`);
  assert.ok(a.at >= 2000, `line A waited the whole Retry-After (${a.at} ms)`);
  const posts = sim.requests.filter((r) => r.method === 'POST' && r.path === '/messages');
  // A faulted request is recorded with its raw bytes; a handled one with its parsed body.
  const fromOf = (body: unknown) =>
    (JSON.parse(Buffer.isBuffer(body) ? body.toString() : JSON.stringify(body)) as { from: string }).from;
  const toA = posts.filter((r) => fromOf(r.body) === lineA);
  assert.deepEqual(
    toA.map((r) => r.status),
    [429, 201],
    'exactly one retry after the 429, and one accepted send',
  );
  assert.ok(toA[1]!.at - toA[0]!.at >= 2000, 'no request to line A during the Retry-After window');
  assert.equal(
    sim.state.outbox.filter((item) => item.kind === 'message' && item.line_id === sim.state.lines[0]!.id).length,
    1,
  );
  assert.match(
    await registry.metrics(),
    /threadline_queue_rate_limited_total\{destination="imessage:\+15551234567"\} 1/,
  );
});
