import assert from 'node:assert/strict';
import { it } from 'node:test';
import { threadTexts } from '../helpers/slack-thread.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

it('/metrics shows traffic, failures, 429s and waits, queue depth, journal size and latency after a conversation', async (t) => {
  const world = await startWorld(t, { slack: {} });
  const slack = world.slack!;
  slack.inject({ method: 'chat.postMessage', retryAfterSec: 1 });
  await world.phone.simulateInbound({ from: customer, text: 'hi' });
  const root = await waitFor(() => slack.state.messages(slackChannel)[0], { timeoutMs: 5000 });
  assert.deepEqual(threadTexts(slack, slackChannel, root), ['hi']);
  const { ts } = await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text: 'hello!' });
  await waitFor(() => slack.state.message(slackChannel, ts)?.reactions?.some((r) => r.name === 'white_check_mark'), {
    timeoutMs: 5000,
  });
  world.phone.failNextSends(1, 'not registered with iMessage');
  await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text: 'again' });
  await waitFor(() => slack.state.replies(slackChannel, root.ts).some((reply) => reply.text.startsWith('⚠️')), {
    timeoutMs: 5000,
  });

  const text = await (await fetch(`${world.daemon.url}/metrics`)).text();
  const expected = [
    /^threadline_messages_in_total\{bridge="imessage",kind="message"\} [1-9]/m,
    /^threadline_messages_in_total\{bridge="slack",kind="message"\} 2$/m,
    /^threadline_messages_out_total\{bridge="slack"\} 1$/m,
    /^threadline_messages_out_total\{bridge="imessage"\} 2$/m,
    /^threadline_delivery_latency_seconds_count\{direction="to_team"\} 1$/m,
    /^threadline_delivery_latency_seconds_count\{direction="to_phone"\} 1$/m,
    /^threadline_queue_rate_limited_total\{destination="slack:C0123456789"\} 1$/m,
    /^threadline_queue_wait_seconds_total\{destination="slack:C0123456789",reason="retry_after"\} [0-9.]+$/m,
    /^threadline_queue_depth\{destination="slack:C0123456789"\} 0$/m,
    /^threadline_queue_sent_total\{destination="imessage:\+15551234567"\} 2$/m,
    /^threadline_journal_pending [0-9]+$/m,
    /^threadline_delivery_failures_total\{bridge="imessage",reason="outbox_failed"\} 1$/m,
    /^threadline_effects_done_total\{destination="slack:C0123456789"\} [1-9]/m,
    /^threadline_effects_pending\{destination="imessage:outbox"\} 0$/m,
    /^threadline_effects_oldest_pending_seconds\{destination="slack:C0123456789"\} 0$/m,
    /^threadline_effects_dead_letters\{destination="imessage:outbox"\} 0$/m,
  ];
  for (const pattern of expected) assert.match(text, pattern);
});
