import assert from 'node:assert/strict';
import { it } from 'node:test';
import { threadTexts } from '../helpers/slack-thread.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

// About 100 s of real time: the simulator enforces Slack's 1 message per second per channel.
it('a burst of 100 customer texts arrives in Slack complete and in order, with no request during a Retry-After', async (t) => {
  const world = await startWorld(t, {
    slack: { sim: { rateLimits: { postMessagePerChannel: { count: 1, perMs: 1000 } } } },
  });
  const slack = world.slack!;
  const first = await world.phone.simulateInbound({ from: customer, text: 'message 1' });
  for (let n = 2; n <= 100; n++)
    await world.phone.simulateInbound({ from: customer, chat: first.chatId, text: `message ${n}` });
  const texts = () => threadTexts(slack, slackChannel, slack.state.messages(slackChannel)[0]);
  await waitFor(() => texts().length === 100, { timeoutMs: 150_000, intervalMs: 200 });
  assert.deepEqual(
    texts(),
    Array.from({ length: 100 }, (_, i) => `message ${i + 1}`),
  );
  assert.equal(slack.state.messages(slackChannel).length, 1, 'one thread');
  assert.deepEqual(slack.violations, [], 'no request during an announced Retry-After');
  const posts = slack.calls.filter((call) => call.method === 'chat.postMessage');
  assert.equal(posts.filter((call) => call.status === 200).length, 100, 'the root carries the first; each posted once');
});
