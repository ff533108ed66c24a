import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { QueueSnapshot } from '../../src/server/queue-view.js';
import { slackTexts } from '../helpers/conversation-view.js';
import { runThreadline } from '../helpers/daemon-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { customer, startWorld, webhookSecret, type World } from '../helpers/world.js';

const lostText = 'the text Slack refused';

/** A config for the CLI that names the world daemon's store, and its port (or `port`). */
function cliConfig(world: World, port?: number): string {
  return [
    `imessage: { apiUrl: "${world.phone.apiUrl}", apiKey: ${world.phone.apiKey}, webhookSecret: ${webhookSecret} }`,
    `server: { host: 127.0.0.1, port: ${port ?? new URL(world.daemon.url).port} }`,
    `store: { path: ${join(world.daemon.dir, 'threadline.json')} }`,
  ].join('\n');
}

async function threadline(args: string[], config: string) {
  const run = await runThreadline({ args, config });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A port nothing listens on (taken and given back at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A conversation in Slack, then a text whose post Slack refuses for good: one dead letter. */
async function withDeadLetter(t: TestContext): Promise<{ world: World; id: number }> {
  const world = await startWorld(t, { slack: {} });
  await world.phone.simulateInbound({ from: customer, text: 'hello' });
  await waitFor(() => slackTexts(world).length === 1, { timeoutMs: 5000, message: 'first post' });
  world.slack!.inject({ method: 'chat.postMessage', error: 'channel_not_found' });
  await world.phone.simulateInbound({ from: customer, text: lostText });
  const dead = await waitFor(
    () => world.daemon.app.store!.effects.list().find((effect) => effect.deadAt !== undefined),
    { timeoutMs: 5000, message: 'a dead letter' },
  );
  return { world, id: dead.id };
}

function assertNoContent(output: string): void {
  for (const leak of [lostText, 'hello', customer]) assert.ok(!output.includes(leak), `"${leak}" leaked: ${output}`);
}

describe('threadline queue (a separate process)', () => {
  it('lists the running daemon’s dead letter, retry --all delivers it once, an unknown id exits 2, other hosts get 403', async (t) => {
    const { world, id } = await withDeadLetter(t);
    const config = cliConfig(world);

    const list = await threadline(['queue'], config);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Queue of the running Threadline at http:\/\/127\.0\.0\.1:\d+:/);
    assert.match(list.stdout, /^slack:C0123456789 — nothing pending, 1 dead letter, ok$/m);
    assert.match(list.stdout, /^ {2}ID +KIND +STATE +AGE +ATTEMPTS +LAST ERROR$/m);
    assert.match(
      list.stdout,
      new RegExp(
        `^ {2}${id} +post +dead +\\d+s +1 +platform_error: Slack refused chat\\.postMessage: channel_not_found$`,
        'm',
      ),
    );
    assert.match(list.stdout, /0 pending, 1 dead letter\./);
    assertNoContent(list.stdout + list.stderr);

    const json = await threadline(['queue', '--json'], config);
    assert.equal(json.code, 0, json.stderr);
    const snapshot = JSON.parse(json.stdout) as QueueSnapshot & { source: string };
    assert.equal(snapshot.source, 'daemon');
    const dead = snapshot.effects.find((effect) => effect.id === id);
    assert.deepEqual([dead?.kind, dead?.state, dead?.destination], ['post', 'dead', 'slack:C0123456789']);
    assert.ok(snapshot.destinations.some((entry) => entry.destination === 'slack:C0123456789' && entry.dead === 1));
    assertNoContent(json.stdout);

    const unknown = await threadline(['queue', 'retry', '999999'], config);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no effect 999999/);

    const retried = await threadline(['queue', 'retry', '--all'], config);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, new RegExp(`^Re-queued 1 dead letter: ${id}\\.`));
    await waitFor(() => slackTexts(world).includes(lostText), { timeoutMs: 5000, message: 'the retried post' });
    await waitFor(() => world.daemon.app.store!.effects.list().length === 0, { timeoutMs: 5000 });
    assert.equal(slackTexts(world).filter((text) => text === lostText).length, 1, 'posted once');

    const again = await threadline(['queue', 'retry', '--all'], config);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /No dead letters: nothing to retry\./);

    // A request a proxy forwarded counts as another host's; the socket check is unit-tested.
    const forwarded = await fetch(`${world.daemon.url}/admin/queue`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(forwarded.status, 403);
    assert.equal(((await forwarded.json()) as { error: { code: string } }).error.code, 'forbidden');
    const badBody = await fetch(`${world.daemon.url}/admin/queue/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ['x'] }),
    });
    assert.equal(badBody.status, 400);
  });

  it('a live store lock refuses a second daemon and a CLI that cannot reach the first; once stopped, the CLI reads and retries in the store itself', async (t) => {
    const { world, id } = await withDeadLetter(t);
    const elsewhere = cliConfig(world, await freePort());

    const locked = await threadline(['queue'], elsewhere);
    assert.equal(locked.code, 1, locked.stdout);
    assert.match(locked.stderr, /nothing answers at http:\/\/127\.0\.0\.1:\d+, but the store is in use/);
    assert.match(locked.stderr, new RegExp(`Another Threadline \\(pid ${process.pid}, since [^)]+\\) has the store`));
    assert.match(locked.stderr, /server\.host and server\.port/);

    const second = await threadline(['start'], elsewhere);
    assert.equal(second.code, 1, second.stdout);
    assert.match(
      second.stderr,
      new RegExp(`^threadline: Another Threadline \\(pid ${process.pid}\\b.*Stop it first`, 'm'),
    );

    await world.daemon.app.stop();
    const stopped = cliConfig(world);
    const list = await threadline(['queue'], stopped);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Queue in the store .*threadline\.json \(Threadline is not running\):/);
    assert.match(list.stdout, new RegExp(`^ {2}${id} +post +dead `, 'm'));
    assertNoContent(list.stdout);
    await assert.rejects(
      stat(join(world.daemon.dir, 'threadline.lock')),
      { code: 'ENOENT' },
      'the CLI let go of the store',
    );

    const retried = await threadline(['queue', 'retry', String(id)], stopped);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(
      retried.stdout,
      new RegExp(`^Re-queued dead letter ${id}\\.\\nThreadline is not running: .*next start`),
    );
    const notDead = await threadline(['queue', 'retry', String(id)], stopped);
    assert.equal(notDead.code, 2);
    assert.match(notDead.stderr, new RegExp(`effect ${id} is pending, not a dead letter`));

    await world.restart();
    await waitFor(() => slackTexts(world).includes(lostText), {
      timeoutMs: 5000,
      message: 'resumed after the restart',
    });
    await waitFor(() => world.daemon.app.store!.effects.list().length === 0, { timeoutMs: 5000 });
    assert.equal(slackTexts(world).filter((text) => text === lostText).length, 1, 'posted once');
  });
});
