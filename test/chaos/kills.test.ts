import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runChaos } from '../helpers/chaos-run.js';

const seed = Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000);

it(`300 texts in, 100 Slack replies out, 20 chats, 6 random SIGKILLs (seed ${seed}): nothing lost, doubled or reordered; drain within 1.15× of the limits`, async (t) => {
  const figures = await runChaos(t, 'random kills', {
    chats: 20,
    textsPerChat: 15,
    repliesPerChat: 5,
    trafficSeconds: 30,
    kills: 6,
    killWhen: 'random',
    seed,
  });
  assert.ok(figures.ratio <= 1.15, `drain ${figures.drainSeconds} s for a bound of ${figures.boundSeconds} s`);
});
