import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { startSlackSimulator } from '../../sandbox/slack/index.js';
import { runThreadline, startedUrl, type DaemonProcess } from '../helpers/daemon-process.js';
import { threadTexts } from '../helpers/slack-thread.js';
import { waitFor } from '../helpers/wait-for.js';
import { storeConfig, storeKinds } from '../helpers/test-stores.js';
import { startWorld } from '../helpers/world.js';

const secret = 'whsec_crash';
const line = '+15551234567';
const channel = 'C0123456789';

for (const { kind, skip } of await storeKinds()) {
  it(
    `a daemon killed (SIGKILL) after acknowledging a webhook restarts with an intact store and posts the message once (${kind})`,
    { skip },
    async (t) => {
      const phone = await startMessagesDevSimulator({ webhookSecret: secret, lines: [{ handle: line }] });
      const slack = await startSlackSimulator();
      const dir = await mkdtemp(join(tmpdir(), 'threadline-crash-'));
      const daemons: DaemonProcess[] = [];
      t.after(async () => {
        for (const daemon of daemons) daemon.child.kill('SIGKILL');
        await Promise.all(daemons.map((daemon) => daemon.exited));
        await slack.close();
        await phone.close();
        await rm(dir, { recursive: true, force: true });
      });
      const config = [
        `imessage: { apiUrl: "${phone.apiUrl}", apiKey: ${phone.apiKey}, webhookSecret: ${secret} }`,
        `slack: { botToken: ${slack.botToken}, appToken: ${slack.appToken}, apiUrl: "${slack.apiUrl}" }`,
        'server: { host: 127.0.0.1, port: 0 }',
        storeConfig(t, kind, dir),
        'routes:',
        `  - line: "${line}"`,
        `    slack: { channel: ${channel} }`,
      ].join('\n');
      const start = async () => {
        const daemon = await runThreadline({ args: ['start'], config });
        daemons.push(daemon);
        const url = await startedUrl(daemon);
        for (const hook of phone.state.webhooks) {
          await fetch(`${phone.apiUrl}/webhooks`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ id: hook.id }),
          });
        }
        await fetch(`${phone.apiUrl}/webhooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${phone.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            from: line,
            url: `${url}/webhooks/imessage`,
            events: ['message.received', 'message.sent'],
          }),
        });
        return daemon;
      };

      // Slack makes the first post wait a minute: the webhook is acknowledged, its work is still pending.
      slack.inject({ method: 'chat.postMessage', retryAfterSec: 60 });
      const first = await start();
      const { deliveries } = await phone.simulateInbound({ from: '+15559876543', text: 'Is my order ready?' });
      assert.equal(deliveries[0]!.status, 200, 'acknowledged once durable');
      await slack.waitForCall('chat.postMessage');
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, null, 'killed, not exited');
      assert.equal(slack.state.messages(channel).length, 0, 'nothing was posted before the crash');

      const second = await start();
      const texts = () => threadTexts(slack, channel, slack.state.messages(channel)[0]);
      await waitFor(() => texts().length === 1, { timeoutMs: 10_000 });
      assert.ok(second.logLines().some((entry) => entry['msg'] === 'Resuming pending effects' && entry['count'] === 1));
      assert.deepEqual(texts(), ['Is my order ready?']);
      assert.equal(slack.state.messages(channel).length, 1, 'one root, carrying the text');

      // A third run resumes nothing: the effect left the store once it was done.
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
      const third = await start();
      await phone.simulateInbound({ from: '+15559876543', text: 'hello again' });
      await waitFor(() => texts().length === 2, { timeoutMs: 10_000 });
      assert.ok(!third.logLines().some((entry) => entry['msg'] === 'Resuming pending effects'));
      assert.deepEqual(texts(), ['Is my order ready?', 'hello again']);
      assert.equal(slack.state.messages(channel).length, 1, 'the same thread after both restarts');
    },
  );
}

it('a shutdown while Slack asks to wait stops promptly, keeps the work pending, and after the restart posts it once, not inside the Retry-After window', async (t) => {
  const world = await startWorld(t, { slack: {} });
  const slack = world.slack!;
  const retryAfterSec = 8;
  slack.inject({ method: 'chat.postMessage', retryAfterSec });
  await world.phone.simulateInbound({ from: '+15559876543', text: 'are you open?' });
  await slack.waitForCall('chat.postMessage');
  const toldAt = Date.now();
  await world.daemon.app.stop();
  assert.ok(Date.now() - toldAt < 5000, `stopped in ${Date.now() - toldAt} ms instead of waiting out Retry-After`);
  await world.restart();
  await waitFor(() => threadTexts(slack, channel, slack.state.messages(channel)[0]).length === 1, {
    timeoutMs: retryAfterSec * 1000 + 10_000,
  });
  // The restarted process was never told to wait; it knew from the store.
  const posts = slack.calls.filter((call) => call.method === 'chat.postMessage');
  assert.equal(posts.length, 2, 'the refused post and the one after the window');
  assert.ok(posts[1]!.at >= toldAt + retryAfterSec * 1000 - 200, 'the retry came after the announced window');
  assert.equal(slack.state.messages(channel).length, 1);
  assert.deepEqual(threadTexts(slack, channel, slack.state.messages(channel)[0]), ['are you open?']);
  assert.ok(world.daemon.lines.some((entry) => entry.msg === 'Resuming pending effects'));
});
