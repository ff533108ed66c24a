import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { App, LogLevel, type Logger } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { WebSocket } from 'ws';
import {
  startSlackSimulator,
  type RecordedAck,
  type SlackSimulator,
  type SlackSimulatorOptions,
} from '../../sandbox/slack/index.js';
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

/** A bare Socket Mode client (no SDK): connects with a fresh ticket, records frames, acks only when told. */
async function connectRaw(t: TestContext, sim: SlackSimulator): Promise<{ socket: WebSocket; frames: Json[] }> {
  const open = (await (
    await fetch(`${sim.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.appToken}` },
    })
  ).json()) as { url: string };
  const socket = new WebSocket(open.url);
  t.after(() => socket.terminate());
  const frames: Json[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Json));
  await waitFor(() => frames.some((frame) => frame['type'] === 'hello'));
  return { socket, frames };
}

const envelopes = (frames: Json[]): Json[] => frames.filter((frame) => frame['type'] === 'events_api');

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

describe('Slack simulator redelivery until acked', () => {
  it('socketMaxResends: envelopes wait for the next connection and go out on its hello; acks emit "ack"', async (t) => {
    const sim = await startSim(t, { socketMaxResends: Infinity, ackTimeoutMs: 40 });
    const acks: RecordedAck[] = [];
    sim.on('ack', (ack: RecordedAck) => acks.push(ack));
    const first = await connectRaw(t, sim);
    const unacked = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'sent, never acked' });
    await waitFor(() => envelopes(first.frames).length === 1);
    sim.dropConnections();
    const offline = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'while nobody is connected' });
    assert.equal(offline.delivered, false);
    assert.ok(offline.envelopeId, 'kept for the next connection');
    // Past the ack timeout: the re-send finds no connection and waits instead of being spent.
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(sim.missed.length, 0);

    const second = await connectRaw(t, sim);
    const got = await waitFor(() => envelopes(second.frames).length === 2 && envelopes(second.frames));
    assert.deepEqual(
      got.map((frame) => [frame['envelope_id'], frame['retry_attempt'], (frame['payload'] as Json)['event_id']]),
      [
        [unacked.envelopeId, 1, unacked.eventId],
        [offline.envelopeId, 0, offline.eventId],
      ],
    );
    for (const frame of got) second.socket.send(JSON.stringify({ envelope_id: frame['envelope_id'], payload: {} }));
    await waitFor(() => acks.length === 2);
    assert.deepEqual(
      acks.map((ack) => [ack.envelopeId, ack.eventId]),
      [
        [unacked.envelopeId, unacked.eventId],
        [offline.envelopeId, offline.eventId],
      ],
    );
    assert.deepEqual(
      sim.acks.map((ack) => ack.eventId),
      [unacked.eventId, offline.eventId],
    );
    const sent = envelopes(second.frames).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(envelopes(second.frames).length, sent, 'acked envelopes are not re-sent');
  });

  it('re-sends more than 3 times when socketMaxResends says so', async (t) => {
    const sim = await startSim(t, { socketMaxResends: 5, ackTimeoutMs: 20 });
    const { frames } = await connectRaw(t, sim);
    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'nobody acks' });
    const missed = await waitFor(() => sim.missed.find((item) => item.eventId === posted.eventId));
    assert.equal(missed.reason, 'not_acked');
    assert.deepEqual(
      envelopes(frames).map((frame) => frame['retry_attempt']),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('httpMaxRetries: HTTP deliveries are retried past 3 until the app answers 2xx', async (t) => {
    let answered = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        answered += 1;
        res.writeHead(answered <= 5 ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const sim = await startSim(t, {
      eventDelivery: 'http',
      httpEventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
      httpMaxRetries: 10,
      httpRetryDelaysMs: [5],
    });
    const posted = await sim.postAsUser({ user: ALICE, channel: CHANNEL, text: 'keep trying' });
    await sim.waitForDelivery((delivery) => delivery.eventId === posted.eventId && delivery.status === 200);
    assert.deepEqual(
      sim.deliveries.map((delivery) => [delivery.retryAttempt, delivery.status]),
      [
        [0, 500],
        [1, 500],
        [2, 500],
        [3, 500],
        [4, 500],
        [5, 200],
      ],
    );
    assert.equal(sim.missed.length, 0);
  });
});
