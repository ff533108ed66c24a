import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSlackBridge } from '../../bridges/slack/index.js';
import { slackDestinationConfig } from '../../bridges/slack/web.js';
import { parseConfig } from '../../src/config/load.js';
import type { TeamPost } from '../../src/core/bridge.js';
import { createSendQueues } from '../../src/queue/send-queues.js';
import { startSlackSimulator } from '../../sandbox/slack/index.js';

it('a post redone after a crash finds the message its metadata records instead of posting twice', async (t) => {
  const sim = await startSlackSimulator();
  t.after(() => sim.close());
  const config = parseConfig(
    `imessage: { apiKey: k, webhookSecret: s }\nslack: { botToken: ${sim.botToken}, appToken: ${sim.appToken}, apiUrl: "${sim.apiUrl}" }`,
    't',
    {},
  );
  const queues = createSendQueues({
    log: pino({ level: 'silent' }),
    registry: new Registry(),
    destinations: slackDestinationConfig,
  });
  t.after(() => queues.close());
  const bridge = createSlackBridge({ config: config.slack!, queues, log: pino({ level: 'silent' }) });
  const thread = await bridge.createThread('C0123456789', {
    key: { line: '+15551234567', chat: 'cht_1' },
    participants: ['+15559876543'],
  });
  const post = (replay: boolean): TeamPost => ({
    voice: 'customer',
    author: { id: '+15559876543' },
    text: 'Is my order ready?',
    attachments: [],
    openAttachment: bridge.openAttachment,
    idempotencyKey: 'imessage:msg_42',
    replay,
  });
  const first = await bridge.post(thread, post(false));
  const again = await bridge.post(thread, post(true));
  assert.deepEqual(again, first);
  assert.equal(sim.state.replies('C0123456789', thread.thread).length, 1);
  const other = await bridge.post(thread, { ...post(true), idempotencyKey: 'imessage:msg_43' });
  assert.notEqual(other.id, first.id, 'a replayed post that never went out is posted');
  assert.equal(sim.state.replies('C0123456789', thread.thread).length, 2);
});
