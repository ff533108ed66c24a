import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signWebhook } from '../../bridges/imessage/webhook.js';
import { phoneTexts, slackTexts } from '../helpers/conversation-view.js';
import { pgUnavailable } from '../helpers/pg-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld, webhookSecret } from '../helpers/world.js';

const skip = await pgUnavailable();

interface Readyz {
  ready: boolean;
  replica: { name: string; role: string; sender?: { replica: string } };
}

async function readyz(url: string): Promise<Readyz> {
  return (await (await fetch(`${url}/readyz`)).json()) as Readyz;
}

/** POSTs one delivery body, signed now, to a daemon's webhook route. */
async function deliver(url: string, body: object): Promise<number> {
  const timestamp = Date.now();
  const text = JSON.stringify({ ...body, timestamp });
  const response = await fetch(`${url}/webhooks/imessage`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-timestamp': String(timestamp),
      'x-webhook-signature': signWebhook(webhookSecret, timestamp, text),
    },
    body: text,
  });
  await response.arrayBuffer();
  return response.status;
}

describe('the daemon on PostgreSQL', { skip }, () => {
  it('keeps pending work across a restart and deduplicates a redelivery after it', async (t) => {
    const world = await startWorld(t, { slack: {}, store: 'postgres' });
    // Told to wait 2 s: the pause is kept in PostgreSQL too, so the restarted process waits it out.
    world.slack!.inject({ method: 'chat.postMessage', retryAfterSec: 2 });
    const { deliveries } = await world.phone.simulateInbound({ from: customer, text: 'kept across the restart' });
    await world.slack!.waitForCall('chat.postMessage');
    await world.restart();
    await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 12_000 });
    // messages.dev delivers the same delivery again (its webhook was re-registered by the restart).
    const replay = await world.deliverSigned(deliveries[0]!.body);
    assert.equal(replay.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(slackTexts(world), ['kept across the restart'], 'once, after the restart and the redelivery');
  });

  it('two replicas: either takes webhooks (the same delivery at both is bridged once), one sends, the other takes over when it stops', async (t) => {
    const world = await startWorld(t, { slack: {}, store: 'postgres', replica: 'a' });
    const a = world.daemon;
    await world.phone.simulateInbound({ from: customer, text: 'one' });
    await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 10_000 });
    const b = await a.twin('b');
    const seen = await readyz(b.url);
    assert.equal(seen.ready, true, 'a standby is ready: it takes ingress');
    assert.equal(seen.replica.role, 'standby');
    assert.equal(seen.replica.sender?.replica, 'a');
    assert.equal((await readyz(a.url)).replica.role, 'sender');
    // The operator's queue view lives with the sender; a standby says where to look.
    const queueAtStandby = await fetch(`${b.url}/admin/queue`);
    assert.equal(queueAtStandby.status, 503);
    assert.match(((await queueAtStandby.json()) as { error: { message: string } }).error.message, /standby.*replica a/);
    assert.equal((await fetch(`${a.url}/admin/queue`)).status, 200);

    // A webhook that reaches the standby is planned by the sender at once.
    await world.registerWebhook(`${b.url}/webhooks/imessage`);
    const second = await world.phone.simulateInbound({ from: customer, text: 'two' });
    await waitFor(() => slackTexts(world).length === 2, { timeoutMs: 5_000, message: 'through the standby' });

    // The same delivery reaching both replicas at once is bridged once.
    const recorded = JSON.parse(second.deliveries[0]!.body) as Record<string, unknown>;
    const data = { ...(recorded['data'] as Record<string, unknown>), id: 'msg_both', guid: 'G-both', text: 'three' };
    const body = { ...recorded, data, delivery_id: 'dlv_both' };
    const statuses = await Promise.all([deliver(a.url, body), deliver(b.url, body)]);
    assert.deepEqual(statuses, [200, 200]);
    await waitFor(() => slackTexts(world).length === 3, { timeoutMs: 5_000 });

    // The sender stops: the standby takes over and sends.
    const stoppedAt = Date.now();
    await a.app.stop();
    await waitFor(async () => (await readyz(b.url)).replica.role === 'sender', {
      timeoutMs: 10_000,
      message: 'b took over',
    });
    assert.ok(Date.now() - stoppedAt < 10_000);
    await world.phone.simulateInbound({ from: customer, text: 'four' });
    await waitFor(() => slackTexts(world).length === 4, { timeoutMs: 10_000, message: 'sent by the new sender' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(slackTexts(world), ['one', 'two', 'three', 'four']);
  });
  it('two replicas: each holds a Slack Socket Mode connection and journals the replies it is handed before acking them', async (t) => {
    const world = await startWorld(t, { slack: {}, store: 'postgres', replica: 'a' });
    const slack = world.slack!;
    await world.phone.simulateInbound({ from: customer, text: 'hello' });
    await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 10_000 });
    const b = await world.daemon.twin('b');
    assert.equal((await readyz(b.url)).replica.role, 'standby');
    await waitFor(() => slack.connections.filter((connection) => connection.closedAt === undefined).length === 2, {
      timeoutMs: 5_000,
      message: 'the standby connected to Socket Mode too',
    });

    // Slack hands events to the connections in turn: half of these go to the standby. Written 150 ms apart, as
    // people write: which of two replicas journals first is only defined for events further apart than a commit.
    const root = slack.state.messages(slackChannel)[0]!;
    const replies = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const eventIds: string[] = [];
    for (const text of replies) {
      const posted = await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text });
      eventIds.push(posted.eventId);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await waitFor(() => phoneTexts(world).length === replies.length, {
      timeoutMs: 10_000,
      message: 'every reply sent',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(phoneTexts(world), replies, 'once each, in the order written');
    // Each envelope was acknowledged where it first went: none had to be sent again.
    const ofReplies = slack.deliveries.filter((delivery) => eventIds.includes(delivery.eventId ?? ''));
    assert.deepEqual(
      ofReplies.map((delivery) => delivery.retryAttempt),
      replies.map(() => 0),
    );
    assert.equal(new Set(slack.acks.map((ack) => ack.eventId).filter((id) => eventIds.includes(id ?? ''))).size, 6);
  });
});
