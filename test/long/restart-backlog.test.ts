import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRestartBacklog } from '../helpers/restart-backlog.js';

// About three minutes: 150 Slack posts into one channel at Slack's one a second, after the restart.
it('a restart with 300 pending effects: one reconcile read per thread in flight, no call before connected, all delivered once, in order, near Slack’s rate', async (t) => {
  const run = await runRestartBacklog(t, { chats: 10, perChat: 15 });
  assert.ok(run.pending >= 280, `${run.pending} effects were pending`);
  // Slack's budget (about 1 post/s per channel) is the bound; ≥ 90% of it is the goal.
  const allowedSeconds = run.slackPosts;
  const ratio = allowedSeconds / run.drainSeconds;
  console.log(
    JSON.stringify({ pending: run.pending, slackPosts: run.slackPosts, drainSeconds: run.drainSeconds, ofRate: ratio }),
  );
  assert.ok(ratio >= 0.9, `drained at ${(ratio * 100).toFixed(0)}% of Slack's rate`);
});
