import assert from 'node:assert/strict';
import { it } from 'node:test';
import { threadTexts } from '../helpers/slack-thread.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

it('after downtime, texts that arrived meanwhile are fetched from messages.dev and posted in order, without duplicates', async (t) => {
  const world = await startWorld(t, { slack: {} });
  const slack = world.slack!;
  const replies = () => threadTexts(slack, slackChannel, slack.state.messages(slackChannel)[0]);
  const first = await world.phone.simulateInbound({ from: customer, text: 'one' });
  await waitFor(() => replies().length === 1);

  await world.daemon.app.stop();
  const missed = [
    await world.phone.simulateInbound({ from: customer, chat: first.chatId, text: 'two' }),
    await world.phone.simulateInbound({ from: customer, chat: first.chatId, text: 'three' }),
    await world.phone.simulateInbound({ from: '+15550002222', text: 'a new customer while we were down' }),
  ];
  assert.ok(
    missed.every((result) => result.deliveries.every((delivery) => delivery.status === 'error')),
    'the webhooks could not be delivered',
  );

  await world.restart();
  await waitFor(() => replies().length === 3 && slack.state.messages(slackChannel).length === 2, { timeoutMs: 10_000 });
  assert.deepEqual(replies(), ['one', 'two', 'three']);
  const other = slack.state.messages(slackChannel)[1]!;
  assert.deepEqual(threadTexts(slack, slackChannel, other), ['a new customer while we were down']);
  assert.ok(world.daemon.lines.some((line) => line.msg === 'Backfilled missed messages' && line['count'] === 3));

  // A late redelivery of a backfilled text (messages.dev retrying) changes nothing.
  const late = await world.deliverSigned(missed[0]!.deliveries[0]!.body);
  assert.deepEqual(await late.json(), { ok: true, duplicate: true });
  await world.phone.simulateInbound({ from: customer, chat: first.chatId, text: 'four' });
  // Customer texts wait out the 2 s order settle after a start (late redeliveries take their places).
  await waitFor(() => replies().length === 4, { timeoutMs: 5_000 });
  assert.deepEqual(replies(), ['one', 'two', 'three', 'four']);
});

it('after downtime, redeliveries that come back out of order wait for the backfill: texts are posted in the order sent', async (t) => {
  const world = await startWorld(t, { slack: {} });
  const slack = world.slack!;
  const replies = () => threadTexts(slack, slackChannel, slack.state.messages(slackChannel)[0]);
  const first = await world.phone.simulateInbound({ from: customer, text: 'one' });
  await waitFor(() => replies().length === 1);

  await world.daemon.app.stop();
  const missed = [];
  for (const text of ['two', 'three', 'four']) {
    missed.push(await world.phone.simulateInbound({ from: customer, chat: first.chatId, text }));
  }
  // The backfill's first read is slow, and messages.dev's retries come back newest first meanwhile.
  world.phone.inject({ method: 'GET', path: '/chats', delayMs: 1000 });
  await world.restart();
  const redelivered = await Promise.all(
    [...missed].reverse().map(async (result) => (await world.deliverSigned(result.deliveries[0]!.body)).status),
  );
  await waitFor(() => replies().length === 4, { timeoutMs: 10_000 });
  assert.deepEqual(replies(), ['one', 'two', 'three', 'four']);
  assert.deepEqual(redelivered, [200, 200, 200], 'held until the backfill was in, then answered');
});
