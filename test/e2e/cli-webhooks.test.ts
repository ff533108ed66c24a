import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';
import { runThreadline } from '../helpers/daemon-process.js';

const line = '+15551234567';
const secondLine = '+15557654321';
const events = ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'];

/** A config without any webhook secret: `webhooks` must run before there is one. */
function configFor(apiUrl: string, options: { lines?: string[]; publicUrl?: string } = {}): string {
  return [
    'imessage:',
    `  apiUrl: ${apiUrl}`,
    '  apiKey: ${MESSAGES_API_KEY}',
    '  webhookSecret: ${MESSAGES_WEBHOOK_SECRET}',
    ...(options.publicUrl ? ['server:', `  publicUrl: ${options.publicUrl}`] : []),
    // Never contacted by `webhooks`; `check` finds nothing listening there, at once.
    'discord: { token: "t", apiUrl: "http://127.0.0.1:9/api" }',
    'routes:',
    ...(options.lines ?? [line]).flatMap((handle) => [
      `  - line: "${handle}"`,
      '    discord: { channel: "112233445566778899" }',
    ]),
  ].join('\n');
}

async function threadline(args: string[], config: string, env: Record<string, string>) {
  const run = await runThreadline({ args, config, env });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

// Every test has its own simulator and processes: they run side by side.
describe('threadline webhooks (a separate process, against the messages.dev simulator)', { concurrency: true }, () => {
  it('register creates one webhook per route line for the four events, prints the secret once, and a second run creates nothing', async (t) => {
    const sim = await startMessagesDevSimulator();
    t.after(() => sim.close());
    const env = { MESSAGES_API_KEY: sim.apiKey };
    const base = 'http://127.0.0.1:9/bridge/';

    const first = await threadline(['webhooks', 'register', '--url', base], configFor(sim.apiUrl), env);
    assert.equal(first.code, 0, `exit 0:\n${first.stdout}\n${first.stderr}`);
    assert.equal(sim.state.webhooks.length, 1);
    const webhook = sim.state.webhooks[0]!;
    assert.equal(webhook.url, 'http://127.0.0.1:9/bridge/webhooks/imessage');
    assert.deepEqual([...webhook.events].sort(), [...events].sort());
    assert.deepEqual(webhook.line_ids, [sim.state.lines.find((candidate) => candidate.handle === line)!.id]);
    assert.match(first.stdout, new RegExp(`${line.replace('+', '\\+')}\\s+created \\(${webhook.id}\\)`));
    assert.equal(first.stdout.split(webhook.secret).length - 1, 1, 'the secret is printed exactly once');
    assert.match(first.stdout, /shown only this once[\s\S]*MESSAGES_WEBHOOK_SECRET/);

    // The same URL again, now from server.publicUrl and given as the full path: nothing new.
    const [second, list] = await Promise.all([
      threadline(
        ['webhooks', 'register'],
        configFor(sim.apiUrl, { publicUrl: 'http://127.0.0.1:9/bridge/webhooks/imessage' }),
        env,
      ),
      threadline(['webhooks', 'list'], configFor(sim.apiUrl), env),
    ]);
    assert.equal(second.code, 0, `exit 0:\n${second.stdout}\n${second.stderr}`);
    assert.equal(sim.state.webhooks.length, 1, 'no second webhook');
    assert.match(second.stdout, new RegExp(`already registered \\(${webhook.id}\\)`));
    assert.match(second.stdout, /Nothing new/);
    assert.ok(!second.stdout.includes(webhook.secret), 'the secret is not shown again');

    assert.equal(list.code, 0);
    assert.match(list.stdout, /LINE\s+WEBHOOK\s+STATE\s+URL\s+EVENTS/);
    assert.match(
      list.stdout,
      new RegExp(
        `${line.replace('+', '\\+')}\\s+${webhook.id}\\s+active\\s+http://127\\.0\\.0\\.1:9/bridge/webhooks/imessage\\s+message\\.received,`,
      ),
    );
    assert.ok(!list.stdout.includes(webhook.secret));
  });

  it('a further line whose webhook gets a different secret is rolled back with exit 2; one shared secret registers both', async (t) => {
    const lines = [{ handle: line }, { handle: secondLine }];
    const [distinct, shared] = await Promise.all([
      startMessagesDevSimulator({ lines }),
      startMessagesDevSimulator({ lines, webhookSecret: 'whsec_shared' }),
    ]);
    t.after(() => Promise.all([distinct.close(), shared.close()]));
    const url = 'http://localhost:8080/webhooks/imessage';
    const [split, together] = await Promise.all([
      threadline(['webhooks', 'register', '--url', url], configFor(distinct.apiUrl, { lines: [line, secondLine] }), {
        MESSAGES_API_KEY: distinct.apiKey,
      }),
      threadline(['webhooks', 'register', '--url', url], configFor(shared.apiUrl, { lines: [line, secondLine] }), {
        MESSAGES_API_KEY: shared.apiKey,
      }),
    ]);

    assert.equal(split.code, 2, `exit 2:\n${split.stdout}\n${split.stderr}`);
    assert.equal(distinct.state.webhooks.length, 1, 'the second webhook was deleted again');
    assert.match(split.stdout, new RegExp(`${secondLine.replace('+', '\\+')}\\s+not registered: .*different secret`));
    assert.match(split.stdout, new RegExp(distinct.state.webhooks[0]!.secret));
    assert.match(split.stderr, /one Threadline verifies every delivery with one imessage\.webhookSecret/);
    assert.match(split.stderr, /Run one Threadline per line/);
    // Again, without the first line's secret: a new webhook could not be checked against it, so nothing is made.
    const again = await threadline(
      ['webhooks', 'register', '--url', url],
      configFor(distinct.apiUrl, { lines: [line, secondLine] }),
      { MESSAGES_API_KEY: distinct.apiKey },
    );
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Set MESSAGES_WEBHOOK_SECRET to that secret and run this again.*Nothing was changed/);
    assert.equal(distinct.state.webhooks.length, 1);

    assert.equal(together.code, 0, `exit 0:\n${together.stdout}\n${together.stderr}`);
    assert.equal(shared.state.webhooks.length, 2);
    assert.equal(together.stdout.split('whsec_shared').length - 1, 1, 'the shared secret is printed once');
  });

  it('refuses plain http outside localhost, a missing URL and an unknown line with exit 2, creating nothing', async (t) => {
    const sim = await startMessagesDevSimulator();
    t.after(() => sim.close());
    const env = { MESSAGES_API_KEY: sim.apiKey };
    const [http, missing, unknown] = await Promise.all([
      threadline(['webhooks', 'register', '--url', 'http://bridge.example.com'], configFor(sim.apiUrl), env),
      threadline(['webhooks', 'register'], configFor(sim.apiUrl), env),
      threadline(
        ['webhooks', 'register', '--url', 'https://bridge.example.com'],
        configFor(sim.apiUrl, { lines: ['+15550000000'] }),
        env,
      ),
    ]);
    assert.equal(http.code, 2);
    assert.match(http.stderr, /only to https URLs.*Plain http is accepted only for localhost/s);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Pass --url https:\/\/.* or set server\.publicUrl/);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /routes\[0\]\.line \+15550000000 is not among the lines this key can see \(\+15551234567\)/,
    );
    assert.equal(sim.state.webhooks.length, 0);
  });

  it('check flags a line without a webhook at server.publicUrl until register adds it', async (t) => {
    const sim = await startMessagesDevSimulator();
    t.after(() => sim.close());
    const env = { MESSAGES_API_KEY: sim.apiKey, MESSAGES_WEBHOOK_SECRET: 'whsec_old' };
    const config = configFor(sim.apiUrl, { publicUrl: 'https://bridge.example.com' });
    const webhookRow = /([✓✗]) +messages\.dev +webhook of \+15551234567 +(.*)/;

    const before = await threadline(['check'], config, env);
    assert.deepEqual(webhookRow.exec(before.stdout)?.slice(1), [
      '✗',
      'no active webhook delivers to https://bridge.example.com/webhooks/imessage',
    ]);
    assert.match(before.stdout, /run `threadline webhooks register`/);

    const registered = await threadline(['webhooks', 'register'], config, env);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /MESSAGES_WEBHOOK_SECRET/, 'a new secret replaces the configured one');

    const after = await threadline(['check'], config, env);
    assert.equal(webhookRow.exec(after.stdout)?.[1], '✓', after.stdout);
  });
});
