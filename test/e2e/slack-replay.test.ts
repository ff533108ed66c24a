import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { WebClient } from '@slack/web-api';
import { createSlackBridge } from '../../bridges/slack/index.js';
import { slackDestinationConfig } from '../../bridges/slack/web.js';
import { parseConfig } from '../../src/app/load-config.js';
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
  const info = { key: { line: '+15551234567', chat: 'cht_1' }, participants: ['+15559876543'] };
  const { thread } = await bridge.createThread('C0123456789', info, { replay: false });
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

it('a thread creation redone after a crash finds the root it made, with the first text it carried', async (t) => {
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
  const info = { key: { line: '+15551234567', chat: 'cht_7' }, participants: ['+15559876543'] };
  const first = (replay: boolean): TeamPost => ({
    voice: 'customer',
    author: { id: '+15559876543' },
    text: 'Hello, first text',
    attachments: [],
    openAttachment: bridge.openAttachment,
    idempotencyKey: 'imessage:msg_1',
    replay,
  });
  const made = await bridge.createThread('C0123456789', info, { first: first(false), replay: false });
  assert.equal(made.first?.id, made.thread.thread, 'the root carries the first text');
  const again = await bridge.createThread('C0123456789', info, { first: first(true), replay: true });
  assert.deepEqual(again, made);
  assert.equal(sim.state.messages('C0123456789').length, 1, 'one root');
  assert.match(sim.state.messages('C0123456789')[0]!.text, /Hello, first text/);
});

it('a long post cut short by a crash resumes at the part that had not gone out', async (t) => {
  const sim = await startSlackSimulator({ rateLimits: { postMessagePerChannel: false } });
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
  const info = { key: { line: '+15551234567', chat: 'cht_8' }, participants: ['+15559876543'] };
  const { thread } = await bridge.createThread('C0123456789', info, { replay: false });
  // Two parts (Slack takes 40,000 characters per message). The first went out before the process died:
  // posted here as the bridge posts it, with its metadata.
  const text = `${'a'.repeat(38_000)} ${'b'.repeat(30_000)}`;
  const web = new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl });
  const sent = await web.chat.postMessage({
    channel: 'C0123456789',
    thread_ts: thread.thread,
    text: 'a'.repeat(38_000),
    metadata: { event_type: 'threadline_message', event_payload: { key: 'imessage:msg_long', part: 0 } },
  });
  const post = (replay: boolean): TeamPost => ({
    voice: 'customer',
    author: { id: '+15559876543' },
    text,
    attachments: [],
    openAttachment: bridge.openAttachment,
    idempotencyKey: 'imessage:msg_long',
    replay,
  });
  const done = await bridge.post(thread, post(true));
  const replies = sim.state.replies('C0123456789', thread.thread);
  assert.equal(replies.length, 2, 'both parts, once each');
  assert.equal(done.id, sent.ts, 'the post is addressed by its first part');
  assert.match(replies[1]!.text, /^(\*[^*]+:\* )?b{30000}$/);
});
