import assert from 'node:assert/strict';
import { it } from 'node:test';
import { carriedText } from '../helpers/slack-thread.js';
import { discordTexts, slackTexts } from '../helpers/conversation-view.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

// About a minute of real time: the simulators enforce Slack's 1 post per second per channel and Discord's 5 per 5 s.
it('50 new conversations at once cost 50 Slack posts, show at the channel’s rate, and never hold up an existing thread', async (t) => {
  const world = await startWorld(t, { slack: {}, discord: {} });
  const slack = world.slack!;
  const discord = world.discord!;
  const existing = await world.phone.simulateInbound({ from: customer, text: 'already talking' });
  await waitFor(() => discordTexts(world).length === 1 && slack.state.messages(slackChannel).length === 1, {
    timeoutMs: 5000,
  });
  const posted = () => slack.calls.filter((call) => call.method === 'chat.postMessage' && call.status === 200).length;
  const postsBefore = posted();
  const started = Date.now();
  const newcomers = Array.from({ length: 50 }, (_, i) => `+1555200${String(i).padStart(4, '0')}`);
  let midBurstSentAt = 0;
  await Promise.all([
    ...newcomers.map((from, i) => world.phone.simulateInbound({ from, text: `first text ${i + 1}` })),
    (async () => {
      // In the middle of the burst, the existing conversation goes on.
      await new Promise((resolve) => setTimeout(resolve, 50));
      midBurstSentAt = Date.now();
      await world.phone.simulateInbound({ from: customer, chat: existing.chatId, text: 'while they arrive' });
    })(),
  ]);
  const shownAt = await waitFor(() => (discordTexts(world).includes('while they arrive') ? Date.now() : 0), {
    timeoutMs: 5000,
  });
  assert.ok(shownAt - midBurstSentAt <= 2000, `the existing Discord thread got it in ${shownAt - midBurstSentAt} ms`);

  const seen = new Map<string, number>();
  await waitFor(
    () => {
      for (const root of slack.state.messages(slackChannel)) {
        const text = carriedText(root);
        if (text?.startsWith('first text') && !seen.has(text)) seen.set(text, Date.now());
      }
      return seen.size === 50;
    },
    { timeoutMs: 90_000, intervalMs: 20, message: '50 first texts in Slack' },
  );
  const delays = [...seen.values()].map((at) => (at - started) / 1000).sort((a, b) => a - b);
  delays.forEach((delay, index) => {
    assert.ok(delay <= index + 1 + 2, `the ${index + 1}th first text showed after ${delay.toFixed(1)} s`);
  });
  // Slack's budget is per channel: the existing thread's text takes its turn among the roots.
  await waitFor(() => slackTexts(world).includes('while they arrive'), { timeoutMs: 10_000 });
  assert.equal(posted() - postsBefore, 51, '50 roots carrying their first texts, and the existing thread’s text');
  assert.deepEqual(slack.violations, []);
  assert.deepEqual(discord.violations, []);
});
