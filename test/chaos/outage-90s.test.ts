import { describe, it } from 'node:test';
import { outageScenarios, outageSeconds, runOutage } from '../helpers/outage-run.js';

const seconds = outageSeconds(90);

describe(`${seconds} s outages (the four scenarios at once)`, { concurrency: true }, () => {
  for (const down of outageScenarios) {
    it(`${down.join(' + ')} down for ${seconds} s: the others keep flowing; after it, every text and reply exactly once, in order`, async (t) => {
      await runOutage(t, down, seconds);
    });
  }
});
