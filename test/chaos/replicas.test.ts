import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runChaos } from '../helpers/chaos-run.js';
import { pgUnavailable } from '../helpers/pg-server.js';

const seed = Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000);
const skip = await pgUnavailable();

it(
  `two replicas on PostgreSQL, 300 texts round-robin (every fifth to both), 100 Slack replies over both Socket Mode connections, the sender SIGKILLed 3 times (seed ${seed}): nothing lost, doubled or reordered; sending resumes within 10 s of each kill`,
  { skip },
  async (t) => {
    const figures = await runChaos(t, 'sender kills, two replicas', {
      chats: 20,
      textsPerChat: 15,
      repliesPerChat: 5,
      trafficSeconds: 30,
      kills: 3,
      killWhen: 'sender',
      replicas: 2,
      seed,
    });
    assert.ok((figures.webhooksToBoth ?? 0) > 0, 'some deliveries reached both replicas');
    for (const seconds of figures.resumeSeconds ?? [])
      assert.ok(seconds <= 10, `sending resumed ${seconds} s after a kill`);
    assert.equal(figures.resumeSeconds?.length, 3);
  },
);

it(
  `two replicas on PostgreSQL, a rolling restart (A stopped and started, then B) while texts and replies flow (seed ${seed}): every webhook answered 2xx through the load balancer, nothing lost, doubled or reordered`,
  { skip },
  async (t) => {
    const figures = await runChaos(t, 'rolling restart, two replicas', {
      chats: 10,
      textsPerChat: 10,
      repliesPerChat: 3,
      trafficSeconds: 30,
      kills: 0,
      killWhen: 'rolling',
      replicas: 2,
      seed,
    });
    assert.equal(figures.webhooksRefused, 0, 'no webhook went unanswered while a replica restarted');
  },
);
