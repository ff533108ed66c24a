import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRestartBacklog } from '../helpers/restart-backlog.js';

// The 300-effect version (and its drain rate) runs in `npm run test:long`: Slack allows one post a second.
it('a restart with pending effects reads each thread with an effect in flight at most once, calls no platform before it is connected, and delivers everything once, in order', async (t) => {
  const run = await runRestartBacklog(t, { chats: 6, perChat: 3 });
  assert.ok(run.pending >= 24, `${run.pending} effects were pending`);
});
