import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebClient } from '@slack/web-api';
import { SlackUserNames } from '../../bridges/slack/users.js';
import type { SendQueues, SendTask } from '../../src/queue/send-queue-types.js';

/** Runs each task at once, as an idle queue would; what users.info answers is up to the test. */
function harness(answer: (user: string) => Promise<unknown>) {
  const asked: string[] = [];
  const client = {
    users: {
      info: ({ user }: { user: string }) => {
        asked.push(user);
        return answer(user);
      },
    },
  } as unknown as WebClient;
  const queues = { enqueue: <T>(_destination: string, task: SendTask<T>) => task.run() } as unknown as SendQueues;
  let clock = 0;
  const names = new SlackUserNames(client, queues, () => clock, { waitMs: 50, failedForMs: 1000 });
  return { names, asked, advance: (ms: number) => (clock += ms) };
}

const profile = (display_name: string) => Promise.resolve({ ok: true, user: { profile: { display_name } } });
const never = () => new Promise<never>(() => {});

describe('Slack user names', () => {
  it('looks a name up once and then answers from the cache', async () => {
    const { names, asked } = harness(() => profile('Ana'));
    assert.equal(await names.nameOf('U1'), 'Ana');
    assert.equal(await names.nameOf('U1'), 'Ana');
    assert.deepEqual(asked, ['U1']);
  });

  it('goes on with the user id when Slack does not answer in time, and does not wait again', async () => {
    const { names, asked } = harness(never);
    const started = Date.now();
    assert.equal(await names.nameOf('U2'), 'U2');
    const waited = Date.now() - started;
    assert.ok(waited >= 45, `waited ${waited} ms for the lookup`);
    const again = Date.now();
    assert.equal(await names.nameOf('U2'), 'U2');
    assert.ok(Date.now() - again < 40, 'the second event does not wait for the same stuck lookup');
    assert.deepEqual(asked, ['U2']);
  });

  it('uses the user id after a failed lookup, and asks again once the failure is old', async () => {
    let down = true;
    const { names, asked, advance } = harness(() =>
      down
        ? Promise.reject(Object.assign(new Error('503'), { code: 'slack_webapi_http_error', statusCode: 503 }))
        : profile('Bo'),
    );
    assert.equal(await names.nameOf('U3'), 'U3');
    down = false;
    assert.equal(await names.nameOf('U3'), 'U3', 'within the failure memory: no new call');
    assert.equal(asked.length, 1);
    advance(1001);
    assert.equal(await names.nameOf('U3'), 'Bo');
    assert.equal(asked.length, 2);
  });

  it('keeps the last known name when a refresh fails', async () => {
    let down = false;
    const { names, advance } = harness(() => (down ? Promise.reject(new Error('down')) : profile('Cy')));
    assert.equal(await names.nameOf('U4'), 'Cy');
    down = true;
    advance(3_600_001);
    assert.equal(await names.nameOf('U4'), 'Cy');
  });
});
