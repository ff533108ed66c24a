import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { discordThreads } from './conversation-view.js';
import { threadPosts } from './slack-thread.js';
import { waitFor } from './wait-for.js';
import { slackChannel, startWorld } from './world.js';

/** What one restart-with-a-backlog run measured. */
export interface BacklogRun {
  /** Effects pending when the daemon stopped. */
  readonly pending: number;
  /** Seconds from the restart until every text was in every thread. */
  readonly drainSeconds: number;
  /** Slack posts made after the restart (one channel: Slack allows about one a second). */
  readonly slackPosts: number;
}

/**
 * `chats` conversations get `perChat` texts each while Slack and Discord hang (each thread's first post is
 * in flight, the rest waits); the daemon stops and starts again. Checks that each thread with an effect in
 * flight is read at most once to reconcile, that no platform is called before its bridge is connected,
 * and that every text lands once, in order.
 */
export async function runRestartBacklog(
  t: TestContext,
  { chats, perChat }: { chats: number; perChat: number },
): Promise<BacklogRun> {
  const world = await startWorld(t, {
    slack: { sim: { rateLimits: { postMessagePerChannel: false } } },
    discord: { sim: { rateLimits: { messagesPerChannel: false, webhookPerChannelPerMinute: false } } },
  });
  const slack = world.slack!;
  const discord = world.discord!;
  const customers = Array.from({ length: chats }, (_, i) => `+1555300${String(i).padStart(4, '0')}`);
  const chatIds: string[] = [];
  for (const from of customers) chatIds.push((await world.phone.simulateInbound({ from, text: 'hello' })).chatId);
  await waitFor(() => slack.state.messages(slackChannel).length === chats && discordThreads(world).length === chats, {
    timeoutMs: 10_000,
  });

  // Slack stops answering: each conversation's first post hangs in flight, the rest waits behind it.
  slack.startOutage({ mode: 'hang' });
  discord.startOutage({ mode: 'hang' });
  for (let n = 1; n <= perChat; n++) {
    for (const [i, from] of customers.entries()) {
      await world.phone.simulateInbound({ from, chat: chatIds[i]!, text: `text ${n}` });
    }
  }
  const store = world.daemon.app.store!;
  await waitFor(() => store.effects.list().filter((effect) => effect.attemptedAt !== undefined).length >= chats, {
    timeoutMs: 10_000,
    message: 'a post in flight in every Slack thread',
  });
  const pending = store.effects.size;
  assert.ok(pending >= 2 * chats * perChat - 2 * chats, `${pending} effects pending`);
  const inFlight = new Set(
    store.effects
      .list()
      .filter((effect) => effect.attemptedAt !== undefined)
      .map((effect) => effect.lane),
  );
  await world.daemon.app.stop();
  slack.endOutage();
  discord.endOutage();
  // In one process the stopped daemon's SDK clients may still finish calls they had queued (a killed
  // process would not): let them, so what follows is the new daemon's.
  await delay(500);

  const restartedAt = Date.now();
  const slackCallsBefore = slack.calls.length;
  const discordCallsBefore = discord.calls.length;
  const connectionsBefore = slack.connections.length;
  const framesBefore = discord.gatewayFrames.length;
  await world.restart();
  const expected = ['hello', ...Array.from({ length: perChat }, (_, n) => `text ${n + 1}`)];
  await waitFor(
    () =>
      slack.state
        .messages(slackChannel)
        .every((root) => threadPosts(slack, slackChannel, root).length >= expected.length) &&
      discordThreads(world).every(
        (thread) => discord.state.messages(thread.id).filter((m) => m.origin !== 'member').length >= expected.length,
      ),
    { timeoutMs: (chats * perChat + 60) * 1500, intervalMs: 50, message: 'every text in every thread' },
  );
  const drainSeconds = (Date.now() - restartedAt) / 1000;
  await delay(300);
  for (const root of slack.state.messages(slackChannel)) {
    assert.deepEqual(
      threadPosts(slack, slackChannel, root).map((post) => post.text),
      expected,
    );
  }
  for (const thread of discordThreads(world)) {
    assert.deepEqual(
      discord.state
        .messages(thread.id)
        .filter((message) => message.origin === 'bot' || message.origin === 'webhook')
        .map((message) => message.content.replace(/^\*\*[^*]+:\*\* /, '')),
      expected,
    );
  }

  // Reconciling: one read per thread that had an effect in flight, none for the rest.
  const slackAfter = slack.calls.slice(slackCallsBefore).filter((call) => call.at >= restartedAt);
  const reconcileReads = slackAfter.filter(
    (call) => call.method === 'conversations.replies' && call.params['include_all_metadata'] !== undefined,
  );
  const readsPerThread = new Map<string, number>();
  for (const call of reconcileReads) {
    const ts = String(call.params['ts']);
    readsPerThread.set(ts, (readsPerThread.get(ts) ?? 0) + 1);
  }
  assert.ok(
    [...readsPerThread.values()].every((count) => count === 1),
    `Slack reads per thread: ${JSON.stringify([...readsPerThread])}`,
  );
  const slackInFlight = [...inFlight].filter((lane) => lane.endsWith('|slack')).length;
  assert.ok(readsPerThread.size <= slackInFlight, `${readsPerThread.size} threads read, ${slackInFlight} in flight`);
  const discordAfter = discord.calls.slice(discordCallsBefore).filter((call) => call.at >= restartedAt);
  const discordReads = discordAfter.filter(
    (call) => call.method === 'GET' && call.template === '/channels/:channel/messages',
  );
  const discordPerThread = new Map<string, number>();
  for (const call of discordReads) discordPerThread.set(call.route, (discordPerThread.get(call.route) ?? 0) + 1);
  assert.ok(
    [...discordPerThread.values()].every((count) => count === 1),
    `Discord reads per thread: ${JSON.stringify([...discordPerThread])}`,
  );

  // Nothing reached a platform before its bridge was connected (connecting itself aside).
  const connectedAt = slack.connections[connectionsBefore]!.openedAt;
  const early = slackAfter.filter(
    (call) => call.at < connectedAt && !['auth.test', 'apps.connections.open'].includes(call.method),
  );
  assert.deepEqual(
    early.map((call) => call.method),
    [],
  );
  const ready = discord.gatewayFrames
    .slice(framesBefore)
    .find((frame) => frame.direction === 'out' && frame.t === 'READY');
  assert.ok(ready, 'the gateway said READY');
  const discordEarly = discordAfter.filter(
    (call) => call.at < ready.at && !['/gateway/bot', '/users/@me'].includes(call.template),
  );
  assert.deepEqual(
    discordEarly.map((call) => `${call.method} ${call.template}`),
    [],
  );
  return {
    pending,
    drainSeconds,
    slackPosts: slackAfter.filter((call) => call.method === 'chat.postMessage' && call.status === 200).length,
  };
}
