import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  Client,
  Events,
  GatewayIntentBits,
  HTTPError,
  Partials,
  RateLimitError,
  type ClientEvents,
  type TextChannel,
} from 'discord.js';
import { startDiscordSimulator, type DiscordSimulator } from '../../sandbox/discord/index.js';
import { waitFor } from '../helpers/wait-for.js';

const TEXT = '112233445566778899';
const FORUM = '112233445566778800';
const ALICE = '444444444444444441';

/** A logged-in discord.js client (our queue owns waits; one REST retry) and its simulator, torn down in order. */
async function startWorld(t: TestContext): Promise<{ sim: DiscordSimulator; client: Client }> {
  const sim = await startDiscordSimulator({ heartbeatIntervalMs: 250 });
  const client = new Client({
    intents:
      GatewayIntentBits.Guilds |
      GatewayIntentBits.GuildMessages |
      GatewayIntentBits.MessageContent |
      GatewayIntentBits.GuildMessageReactions,
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    rest: { api: sim.apiUrl, rejectOnRateLimit: () => true, offset: 0, retries: 1, makeRequest: fetch },
    waitGuildTimeout: 200,
  });
  t.after(async () => {
    await client.destroy();
    await sim.close();
  });
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(sim.token);
  await ready;
  return { sim, client };
}

function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  predicate: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]): void => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`No ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

function post(sim: DiscordSimulator, channel: string, content: string): Promise<Response> {
  return fetch(`${sim.apiUrl}/v10/channels/${channel}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bot ${sim.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content }),
  });
}

describe('Discord simulator outages', () => {
  it('503: REST fails unprocessed (HTTPError after discord.js retries); the gateway keeps dispatching and resuming', async (t) => {
    const { sim, client } = await startWorld(t);
    const text = client.channels.cache.get(TEXT) as TextChannel;
    sim.startOutage({ mode: '503' });
    const error = await text.send('lost').then(
      () => assert.fail('expected the send to fail'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof HTTPError);
    assert.equal(error.status, 503);
    assert.deepEqual(
      sim.outageRefusals.map((call) => [call.method, call.template, call.status]),
      [
        ['POST', '/channels/:channel/messages', 503],
        ['POST', '/channels/:channel/messages', 503],
      ],
      'one retry, both refused',
    );
    assert.deepEqual(sim.outageRefusals[0]?.response, { message: 'Service Unavailable', code: 0 });
    assert.equal(sim.state.messages(TEXT).length, 0, 'nothing was processed');

    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'members still talk');
    await sim.postAsMember({ userId: ALICE, channelId: TEXT, content: 'members still talk' });
    await received;
    const since = sim.gatewayFrames.length;
    sim.dropConnection();
    await sim.waitForResume(3000, since);

    sim.endOutage();
    assert.equal((await text.send('back')).content, 'back');
  });

  it('429: Discord’s rate-limit answer, which discord.js turns into RateLimitError; ignoring it is a violation', async (t) => {
    const { sim, client } = await startWorld(t);
    const text = client.channels.cache.get(TEXT) as TextChannel;
    sim.startOutage({ mode: '429', retryAfterSec: 2 });
    const error = await text.send('limited').then(
      () => assert.fail('expected a rate limit'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.retryAfter, 2000);
    assert.equal(error.global, false);
    assert.equal(error.scope, 'user');
    const limited = sim.calls.at(-1);
    assert.equal(limited?.status, 429);
    assert.equal(limited?.responseHeaders['Retry-After'], '2');
    assert.equal(limited?.responseHeaders['X-RateLimit-Remaining'], '0');
    assert.deepEqual(limited?.response, {
      message: 'You are being rate limited.',
      retry_after: 2,
      global: false,
      code: 0,
    });
    const calls = sim.calls.length;
    await assert.rejects(text.send('again'), RateLimitError);
    assert.equal(sim.calls.length, calls, 'discord.js holds the bucket back by itself');

    assert.equal(sim.violations.length, 0);
    assert.equal((await post(sim, FORUM, 'other channel')).status, 429);
    assert.equal(sim.violations.length, 0, 'another channel is another bucket');
    const ignored = await post(sim, TEXT, 'ignoring Retry-After');
    assert.equal(ignored.status, 429);
    assert.equal(ignored.headers.get('x-ratelimit-scope'), 'user');
    assert.deepEqual(
      sim.violations.map((call) => (call.body as { content: string }).content),
      ['ignoring Retry-After'],
    );
    assert.equal(sim.state.messages(TEXT).length, 0);
  });

  it('hang: holds REST calls until the outage ends; except keeps routes working; durationMs ends it', async (t) => {
    const { sim } = await startWorld(t);
    sim.startOutage({ mode: 'hang', except: ['GET /gateway/bot', '/users/@me'] });
    const gateway = await fetch(`${sim.apiUrl}/v10/gateway/bot`, { headers: { Authorization: `Bot ${sim.token}` } });
    assert.equal(gateway.status, 200);
    const me = await fetch(`${sim.apiUrl}/v10/users/@me`, { headers: { Authorization: `Bot ${sim.token}` } });
    assert.equal(me.status, 200);
    const held = post(sim, TEXT, 'held');
    await waitFor(() => sim.outageRefusals.length === 1);
    assert.equal(sim.outageRefusals[0]?.status, 0);
    sim.endOutage();
    await assert.rejects(held);
    assert.equal(sim.state.messages(TEXT).length, 0);

    sim.startOutage({ mode: '503', durationMs: 50 });
    assert.equal((await post(sim, TEXT, 'refused')).status, 503);
    await waitFor(() => !sim.outageActive);
    assert.equal((await post(sim, TEXT, 'served')).status, 200);
  });
});
