import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import type { OutageMode } from '../../sandbox/shared/outage.js';
import { discordTexts, discordThreads, phoneTexts, slackTexts } from '../helpers/conversation-view.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld, type World } from '../helpers/world.js';

type Platform = 'imessage' | 'slack' | 'discord';

const alice = '444444444444444441';

/** A world with Slack and Discord both two-way, one conversation already in both threads. */
async function conversation(t: TestContext, options: Parameters<typeof startWorld>[1] = {}) {
  const world = await startWorld(t, {
    slack: {},
    discord: {},
    phoneTimeoutMs: 1000,
    reconcileWindowMs: 300,
    ...options,
  });
  const first = await world.phone.simulateInbound({ from: customer, text: 'before' });
  await waitFor(() => slackTexts(world).length === 1 && discordTexts(world).length === 1, { timeoutMs: 5000 });
  return { world, chat: first.chatId };
}

function simOf(world: World, platform: Platform) {
  return platform === 'imessage' ? world.phone : platform === 'slack' ? world.slack! : world.discord!;
}

/** A reply written in the conversation's Slack thread (the root) while anything may be down. */
async function slackReply(world: World, text: string) {
  const root = world.slack!.state.messages(slackChannel)[0]!;
  await world.slack!.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text });
}

async function discordReply(world: World, text: string) {
  await world.discord!.postAsMember({ userId: alice, channelId: discordThreads(world)[0]!.id, content: text });
}

const texts = ['during 1', 'during 2', 'during 3'];

/**
 * Three customer texts and a reply from each team platform while `down` answers every API call with
 * `mode`; events keep flowing (webhooks, Socket Mode, the gateway). `longMs`: how long the outage lasts
 * after the traffic (with the tests' short backoff, long enough for retries to reach their cap many times).
 */
async function outage(t: TestContext, down: readonly Platform[], mode: OutageMode, longMs: number) {
  const { world, chat } = await conversation(t);
  for (const platform of down) simOf(world, platform).startOutage({ mode });
  for (const text of texts) await world.phone.simulateInbound({ from: customer, chat, text });
  await slackReply(world, 'reply from slack');
  await discordReply(world, 'reply from discord');
  // The platforms that are up are not held up by the one that is down.
  if (!down.includes('slack')) {
    await waitFor(() => slackTexts(world).length >= 4, { timeoutMs: 5000, message: 'Slack while others are down' });
  }
  if (!down.includes('discord')) {
    await waitFor(() => discordTexts(world).length >= 4, {
      timeoutMs: 5000,
      message: 'Discord while others are down',
    });
  }
  if (!down.includes('imessage')) {
    await waitFor(() => phoneTexts(world).length === 2, {
      timeoutMs: 5000,
      message: 'the phone while others are down',
    });
  }
  await delay(longMs);
  for (const platform of down) simOf(world, platform).endOutage();

  const slackWants = ['before', ...texts, 'reply from discord'];
  const discordWants = ['before', ...texts, 'reply from slack'];
  // Replies reach the phone in the order they were written, across Slack and Discord.
  const phoneWants = ['reply from slack', 'reply from discord'];
  await waitFor(
    () =>
      slackTexts(world).length >= slackWants.length &&
      discordTexts(world).length >= discordWants.length &&
      phoneTexts(world).length >= phoneWants.length,
    { timeoutMs: 15_000, message: `everything delivered after the ${down.join('+')} outage` },
  );
  // Settle, then check nothing came twice.
  await delay(300);
  assert.deepEqual(slackTexts(world), slackWants, 'Slack: every text once, in order');
  assert.deepEqual(discordTexts(world), discordWants, 'Discord: every text once, in order');
  assert.deepEqual(phoneTexts(world), phoneWants, 'the phone: every reply once, in order');
  const pending = world.daemon.app.store!.effects.list().filter((effect) => effect.deadAt !== undefined);
  assert.deepEqual(pending, [], 'no dead letters');
  return world;
}

describe('outages: every API call fails while the event connections stay up', () => {
  for (const down of [['imessage'], ['slack'], ['discord'], ['imessage', 'slack', 'discord']] as const) {
    for (const [label, longMs] of [
      ['short', 100],
      ['long', 2_000],
    ] as const) {
      it(`${down.join(' + ')} answering 503 (${label}): every text and reply delivered once, in order, after recovery`, async (t) => {
        await outage(t, down, '503', longMs);
      });
    }
  }

  it('Slack and messages.dev hanging (no answer at all): delivered once, in order, after recovery', async (t) => {
    await outage(t, ['imessage', 'slack'], 'hang', 1_500);
  });

  it('Discord answering 429 throughout: delivered once, in order, never inside a Retry-After', async (t) => {
    const world = await outage(t, ['discord'], '429', 1_500);
    assert.deepEqual(world.discord!.violations, []);
  });
});

describe('an effect past delivery.maxAgeHours', () => {
  it('fails visibly: ⚠️ on the reply in the thread, and a dead letter', async (t) => {
    // 0.0005 h = 1.8 s.
    const { world } = await conversation(t, { maxAgeHours: 0.0005 });
    world.phone.startOutage({ mode: '503' });
    await slackReply(world, 'never arrives');
    const root = world.slack!.state.messages(slackChannel)[0]!;
    const reply = world
      .slack!.state.replies(slackChannel, root.ts)
      .find((message) => message.text === 'never arrives')!;
    await waitFor(
      () => world.slack!.state.message(slackChannel, reply.ts)?.reactions?.some((r) => r.name === 'warning'),
      { timeoutMs: 10_000, message: '⚠️ on the reply' },
    );
    const note = await waitFor(
      () =>
        world
          .slack!.state.replies(slackChannel, root.ts)
          .find((message) => message.text.startsWith('⚠️ Not delivered to the customer')),
      { message: 'the reason is posted in the thread' },
    );
    assert.match(note.text, /could not be reached|still failing/);
    const dead = world.daemon.app.store!.effects.list().filter((effect) => effect.deadAt !== undefined);
    assert.deepEqual(
      dead.map((effect) => [effect.destination, (effect.op as { kind: string }).kind]),
      [['imessage:+15551234567', 'reply']],
    );
    assert.equal(phoneTexts(world).length, 0);
  });
});

describe('/readyz during an outage', () => {
  it('reports a destination failing for longer than the threshold as degraded, and stays ready', async (t) => {
    const { world, chat } = await conversation(t, { degradedAfterMs: 300 });
    world.slack!.startOutage({ mode: '503' });
    await world.phone.simulateInbound({ from: customer, chat, text: 'while Slack is down' });
    const body = await waitFor(
      async () => {
        const response = await fetch(`${world.daemon.url}/readyz`);
        const json = (await response.json()) as { ready: boolean; status: string; degraded: { destination: string }[] };
        return response.status === 200 && json.status === 'degraded' ? json : undefined;
      },
      { timeoutMs: 10_000, message: 'degraded' },
    );
    assert.equal(body.ready, true, 'still ready: webhooks keep being taken');
    assert.deepEqual(
      body.degraded.map((entry) => entry.destination),
      [`slack:${slackChannel}`],
    );
    assert.match(JSON.stringify(body.degraded[0]), /503/);
    world.slack!.endOutage();
    await waitFor(() => slackTexts(world).length === 2, { timeoutMs: 10_000 });
    const after = (await (await fetch(`${world.daemon.url}/readyz`)).json()) as { status: string };
    assert.equal(after.status, 'ok');
  });
});

describe('messages.dev refusing a send', () => {
  it('a 503 answer is a send that certainly did not happen: retried after recovery, not held for the reconcile window', async (t) => {
    // A reconcile window far longer than the test: a send wrongly held as "in doubt" would never go out in time.
    const { world } = await conversation(t, { reconcileWindowMs: 120_000 });
    world.phone.startOutage({ mode: '503' });
    await slackReply(world, 'refused, then sent');
    await waitFor(() => world.daemon.app.store!.effects.list().some((effect) => effect.attempts > 0), {
      timeoutMs: 10_000,
      message: 'the send was tried and refused',
    });
    world.phone.endOutage();
    await waitFor(() => phoneTexts(world).length === 1, { timeoutMs: 10_000, message: 'sent soon after recovery' });
    await delay(300);
    assert.deepEqual(phoneTexts(world), ['refused, then sent']);
  });
});

describe('a send to the phone in doubt after a restart', () => {
  it('waits out the reconcile window with a few reads, not a retry per success elsewhere, then sends once', async (t) => {
    const { world } = await conversation(t, { reconcileWindowMs: 4_000, phoneTimeoutMs: 60_000 });
    // The send is held by messages.dev when the process stops: whether it went out is unknown.
    world.phone.startOutage({ mode: 'hang' });
    await slackReply(world, 'in doubt');
    await waitFor(() => world.phone.requests.some((request) => request.method === 'POST' && request.status === 0), {
      timeoutMs: 5_000,
      message: 'the send is in flight',
    });
    await world.daemon.app.stop();
    world.phone.endOutage();
    const restartedAt = Date.now();
    await world.restart();
    const listsBefore = world.phone.requests.filter((request) => request.method === 'GET').length;
    // Meanwhile the other chats' work succeeds on the same platform: each success used to retry the send in doubt.
    for (const text of ['other 1', 'other 2', 'other 3']) {
      await world.phone.simulateInbound({ from: '+15550000077', text });
    }
    await waitFor(() => phoneTexts(world).length === 1, { timeoutMs: 15_000, message: 'sent after the window' });
    assert.ok(Date.now() - restartedAt >= 2_000, 'not before the reconcile window said it was not sent');
    await delay(300);
    assert.deepEqual(phoneTexts(world), ['in doubt']);
    const lists = world.phone.requests.filter((request) => request.method === 'GET').length - listsBefore;
    assert.ok(lists <= 4, `${lists} reads of the chat while in doubt`);
    const retried = world.daemon.lines.filter((line) => line.msg === 'Effect failed, retrying');
    assert.deepEqual(
      retried.map((line) => line['code']),
      [],
      'waiting for the window is not a failure',
    );
  });
});

describe('a text whose webhook came late', () => {
  it('is posted in the order the customer sent it, before later texts still waiting for Slack', async (t) => {
    const world = await startWorld(t, { slack: {} });
    const { chatId, deliveries } = await world.phone.simulateInbound({ from: customer, text: 'before' });
    await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 5000 });
    world.slack!.startOutage({ mode: '503' });
    await world.phone.simulateInbound({ from: customer, chat: chatId, text: 'first' });
    await waitFor(() => world.slack!.outageRefusals.length > 0, { timeoutMs: 5000, message: 'first was tried' });
    const third = await world.phone.simulateInbound({ from: customer, chat: chatId, text: 'third' });
    // messages.dev redelivers "second" only now, though the customer sent it before "third".
    const recorded = JSON.parse(deliveries[0]!.body) as { data: Record<string, unknown> } & Record<string, unknown>;
    const thirdSentAt = (JSON.parse(third.deliveries[0]!.body) as { data: { sent_at: number } }).data.sent_at;
    const second = {
      ...recorded,
      delivery_id: 'dlv_late_second',
      data: {
        ...recorded.data,
        id: 'msg_late_second',
        guid: 'G-late-second',
        text: 'second',
        sent_at: thirdSentAt - 500,
      },
    };
    assert.equal((await world.deliverSigned(JSON.stringify(second))).status, 200);
    world.slack!.endOutage();
    await waitFor(() => slackTexts(world).length === 4, { timeoutMs: 15_000, message: 'all posted' });
    await delay(300);
    assert.deepEqual(slackTexts(world), ['before', 'first', 'second', 'third']);
  });
  it('right after a restart, is posted in order even when the later text reached an idle Slack first', async (t) => {
    const world = await startWorld(t, { slack: {} });
    const { chatId, deliveries } = await world.phone.simulateInbound({ from: customer, text: 'before' });
    await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 5000 });
    await world.restart();
    const later = await world.phone.simulateInbound({ from: customer, chat: chatId, text: 'later' });
    // The earlier text was refused while the process was down; messages.dev sends it again half a second on.
    await delay(500);
    const recorded = JSON.parse(deliveries[0]!.body) as { data: Record<string, unknown> } & Record<string, unknown>;
    const laterSentAt = (JSON.parse(later.deliveries[0]!.body) as { data: { sent_at: number } }).data.sent_at;
    const earlier = {
      ...recorded,
      delivery_id: 'dlv_refused_earlier',
      data: { ...recorded.data, id: 'msg_refused', guid: 'G-refused', text: 'earlier', sent_at: laterSentAt - 1000 },
    };
    assert.equal((await world.deliverSigned(JSON.stringify(earlier))).status, 200);
    await waitFor(() => slackTexts(world).length === 3, { timeoutMs: 10_000, message: 'both posted' });
    await delay(300);
    assert.deepEqual(slackTexts(world), ['before', 'earlier', 'later']);
  });
});
