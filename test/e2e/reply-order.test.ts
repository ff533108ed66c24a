import assert from 'node:assert/strict';
import { it } from 'node:test';
import { phoneTexts } from '../helpers/conversation-view.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

it('100 replies written quickly in a Slack thread reach the phone complete, once each, in the order written', async (t) => {
  // No line pacing here: this is about order, not rate (users' names are looked up while they queue).
  const world = await startWorld(t, { slack: {}, phoneSendIntervalMs: 0 });
  const slack = world.slack!;
  await world.phone.simulateInbound({ from: customer, text: 'hi' });
  const root = await waitFor(() => slack.state.messages(slackChannel)[0], { timeoutMs: 5000 });
  const users = ['U0ALICE', 'U0BOB'];
  const written = Array.from({ length: 100 }, (_, i) => `reply ${String(i + 1).padStart(3, '0')}`);
  for (const [i, text] of written.entries()) {
    await slack.postAsUser({ user: users[i % 2]!, channel: slackChannel, threadTs: root.ts, text });
  }
  await waitFor(() => phoneTexts(world).length >= 100, { timeoutMs: 60_000, intervalMs: 20 });
  assert.deepEqual(phoneTexts(world), written);
});
