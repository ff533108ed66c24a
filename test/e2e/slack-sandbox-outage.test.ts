import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { App, LogLevel, type Logger } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { startSlackSimulator, type SlackSimulator, type SlackSimulatorOptions } from '../../sandbox/slack/index.js';
import { waitFor } from '../helpers/wait-for.js';

type Json = Record<string, unknown>;

const CHANNEL = 'C0123456789';
const ALICE = 'U0ALICE';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function clientOptions(sim: SlackSimulator): {
  slackApiUrl: string;
  retryConfig: { retries: number };
  rejectRateLimitedCalls: boolean;
} {
  return { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
}

async function startSim(t: TestContext, options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const sim = await startSlackSimulator(options);
  t.after(() => sim.close());
  return sim;
}

function webClient(sim: SlackSimulator, timeout = 0): WebClient {
  return new WebClient(sim.botToken, { ...clientOptions(sim), timeout, logger: silentLogger });
}

function errorFields(error: unknown): { code?: unknown; retryAfter?: unknown; statusCode?: unknown } {
  assert.ok(error instanceof Error, 'expected an Error');
  return error as Error & { code?: unknown; retryAfter?: unknown; statusCode?: unknown };
}

describe('Slack simulator outages', () => {
  it('503: Web API calls fail unprocessed (slack_webapi_http_error); Socket Mode events keep arriving', async (t) => {
    const sim = await startSlackSimulator();
    const app = new App({
      token: sim.botToken,
      appToken: sim.appToken,
      socketMode: true,
      clientOptions: clientOptions(sim),
      botId: sim.bot.botId,
      botUserId: sim.bot.userId,
      logger: silentLogger,
    });
    const seen: string[] = [];
    app.message(async ({ message }) => {
      seen.push(String((message as unknown as Json)['text']));
    });
    await app.start();
    // Stop the app before the simulator, or the SDK's reconnect loop keeps the process alive (spec §1.5).
    t.after(async () => {
      await app.stop();
      await sim.close();
    });

    sim.startOutage({ mode: '503', except: ['auth.test'] });
    const client = webClient(sim);
    const failed = await client.chat.postMessage({ channel: CHANNEL, text: 'lost' }).then(() => undefined, errorFields);
    assert.equal(failed?.code, ErrorCode.HTTPError);
    assert.equal(failed?.statusCode, 503);
    assert.deepEqual(sim.calls.at(-1)?.response, { ok: false, error: 'service_unavailable' });
    assert.equal(sim.state.messages(CHANNEL).length, 0, 'nothing was processed');
    assert.equal((await client.auth.test()).ok, true, 'excepted');

    await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'a person still writes' });
    await waitFor(() => seen.includes('a person still writes'));
    assert.deepEqual(
      sim.outageRefusals.map((call) => [call.method, call.status]),
      [['chat.postMessage', 503]],
    );
    sim.endOutage();
    assert.equal((await client.chat.postMessage({ channel: CHANNEL, text: 'back' })).ok, true);
  });

  it('429: ratelimited with Retry-After; coming back early is a violation', async (t) => {
    const sim = await startSim(t);
    const client = webClient(sim);
    sim.startOutage({ mode: '429', retryAfterSec: 3 });
    const limited = await client.chat.postMessage({ channel: CHANNEL, text: 'x' }).then(() => undefined, errorFields);
    assert.equal(limited?.code, ErrorCode.RateLimitedError);
    assert.equal(limited?.retryAfter, 3);
    assert.deepEqual(sim.calls.at(-1)?.response, { ok: false, error: 'ratelimited' });
    await client.reactions.add({ channel: CHANNEL, timestamp: '1.000001', name: 'eyes' }).catch(() => undefined);
    assert.equal(sim.violations.length, 0, 'another method has its own window');
    await client.chat.postMessage({ channel: CHANNEL, text: 'y' }).catch(() => undefined);
    assert.deepEqual(
      sim.violations.map((call) => call.params['text']),
      ['y'],
    );
    assert.equal(sim.outageRefusals.length, 3);
    assert.equal(sim.state.messages(CHANNEL).length, 0);
  });

  it('hang: holds calls until the client times out or the outage ends; durationMs ends it by itself', async (t) => {
    const sim = await startSim(t);
    sim.startOutage({ mode: 'hang' });
    const timedOut = await webClient(sim, 100)
      .chat.postMessage({ channel: CHANNEL, text: 'held' })
      .then(() => undefined, errorFields);
    assert.equal(timedOut?.code, ErrorCode.RequestError);
    const held = fetch(`${sim.apiUrl}auth.test`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.botToken}` },
    });
    await waitFor(() => sim.outageRefusals.length === 2);
    assert.deepEqual(
      sim.calls.map((call) => call.status),
      [0, 0],
    );
    sim.endOutage();
    await assert.rejects(held);
    assert.equal(sim.state.messages(CHANNEL).length, 0);

    sim.startOutage({ mode: '503', durationMs: 50 });
    assert.equal(sim.outageActive, true);
    await waitFor(() => !sim.outageActive);
    assert.equal((await webClient(sim).chat.postMessage({ channel: CHANNEL, text: 'after' })).ok, true);
  });
});
