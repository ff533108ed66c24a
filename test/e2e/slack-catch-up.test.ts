import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { it } from 'node:test';
import { phoneTexts } from '../helpers/conversation-view.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

it('after a restart, replies written in Slack while the daemon was down are read back and sent once, in order', async (t) => {
  const world = await startWorld(t, { slack: {}, phoneSendIntervalMs: 0 });
  const slack = world.slack!;
  await world.phone.simulateInbound({ from: customer, text: 'hello?' });
  const root = await waitFor(() => slack.state.messages(slackChannel)[0], { timeoutMs: 5000 });
  await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text: 'one' });
  await waitFor(() => phoneTexts(world).length === 1, { timeoutMs: 5000 });

  await world.daemon.app.stop();
  // Socket Mode does not buffer: nobody is connected to take these.
  for (const text of ['two', 'three']) {
    await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text });
  }
  await world.restart();
  await waitFor(() => phoneTexts(world).length >= 3, { timeoutMs: 10_000, message: 'the missed replies sent' });
  await delay(300);
  assert.deepEqual(phoneTexts(world), ['one', 'two', 'three']);
  assert.ok(
    world.daemon.lines.some((line) => line.msg === 'Slack catch-up handed in thread replies'),
    'read back by catch-up',
  );
});
