import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { it } from 'node:test';
import { phoneTexts, slackTexts } from '../helpers/conversation-view.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, slackChannel, startWorld } from '../helpers/world.js';

it('a reply written in a new thread before Threadline hears back about creating it reaches the phone, once', async (t) => {
  const world = await startWorld(t, { slack: {} });
  const slack = world.slack!;
  // The root shows in Slack at once; Threadline learns its ts 1.5 s later (a slow network).
  slack.inject({ method: 'chat.postMessage', slowAnswerMs: 1500 });
  await world.phone.simulateInbound({ from: customer, text: 'is anyone there?' });
  const root = await waitFor(() => slack.state.messages(slackChannel)[0], { timeoutMs: 5000 });
  await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text: 'yes, right here' });
  await slack.postAsUser({ user: 'U0ALICE', channel: slackChannel, threadTs: root.ts, text: 'how can I help?' });

  await waitFor(() => phoneTexts(world).length === 2, { timeoutMs: 10_000, message: 'both replies at the phone' });
  await delay(300);
  assert.deepEqual(phoneTexts(world), ['yes, right here', 'how can I help?']);
  assert.deepEqual(slackTexts(world), ['is anyone there?']);
  assert.equal(world.daemon.app.store!.journal.size, 0, 'nothing left waiting in the journal');
});
