import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { runThreadline, startedUrl } from '../helpers/daemon-process.js';
import { waitFor } from '../helpers/wait-for.js';

const secret = 'whsec_daemon_start_test';

describe('threadline start (a separate process)', () => {
  it('exits 2 and names every bad key of a broken config', async () => {
    const daemon = await runThreadline({
      args: ['start'],
      config: [
        'imessage:',
        '  apiKey: ${MESSAGES_API_KEY}',
        '  webhookSecret: s',
        '  apiUrl: ftp://nope',
        'server: { prot: 1 }',
        'routes:',
        '  - line: "+15551234567"',
        '    slack: { channel: general }',
      ].join('\n'),
    });
    assert.equal(await daemon.exited, 2);
    const stderr = daemon.stderr();
    for (const key of [
      'imessage.apiKey',
      'imessage.apiUrl',
      'server.prot',
      'routes[0].slack.channel',
      'routes[0].slack',
    ]) {
      assert.match(stderr, new RegExp(`- ${key.replace(/[.[\]]/g, '\\$&')}: `), `stderr names ${key}:\n${stderr}`);
    }
    assert.match(stderr, /MESSAGES_API_KEY is not set/);
  });

  it('exits 2 with a hint when the config file is missing', async () => {
    const daemon = await runThreadline({ args: ['start', '--config', '/nonexistent/threadline.yaml'] });
    assert.equal(await daemon.exited, 2);
    assert.match(daemon.stderr(), /cannot read config .*file not found.*threadline\.example\.yaml/);
  });

  it('starts with only the imessage block, answers /healthz, accepts a signed webhook, logs ids but no text or secret, and exits 0 on SIGTERM', async (t) => {
    const sim = await startMessagesDevSimulator({ webhookSecret: secret });
    t.after(() => sim.close());
    const daemon = await runThreadline({
      args: ['start'],
      config: [
        'imessage:',
        `  apiUrl: ${sim.apiUrl}`,
        '  apiKey: ${MESSAGES_API_KEY}',
        '  webhookSecret: ${MESSAGES_WEBHOOK_SECRET}',
        'server: { host: 127.0.0.1, port: 0 }',
        'store: { path: ./data/threadline.json }',
      ].join('\n'),
      env: { MESSAGES_API_KEY: sim.apiKey, MESSAGES_WEBHOOK_SECRET: secret },
    });
    t.after(() => daemon.child.kill('SIGKILL'));
    const url = await startedUrl(daemon);

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const response = await fetch(`${sim.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+15551234567', url: `${url}/webhooks/imessage`, events: ['message.received'] }),
    });
    assert.equal(response.status, 201);
    const text = 'my card number is 4111 1111 1111 1111';
    const { message, deliveries } = await sim.simulateInbound({ from: '+15559876543', text });
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0]!.status, 200);

    const accepted = await waitFor(() => daemon.logLines().find((line) => line['msg'] === 'Webhook accepted'));
    assert.equal(accepted['level'], 'info');
    assert.equal(accepted['event'], 'message.received');
    assert.equal(accepted['delivery_id'], deliveries[0]!.deliveryId);
    assert.equal(accepted['message_id'], message.id);
    assert.equal(accepted['conversation'], message.chat_id);
    assert.ok(!daemon.stdout().includes(text), 'the message text never reaches the log');
    assert.ok(!daemon.stdout().includes(secret), 'the webhook secret never reaches the log');
    assert.ok(!daemon.stdout().includes(sim.apiKey), 'the API key never reaches the log');

    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    assert.ok(daemon.logLines().some((line) => line['msg'] === 'Stopped cleanly'));
  });
});
