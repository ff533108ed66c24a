/**
 * Rate-limit efficiency of the send queues (a benchmark, not a test):
 *
 *   node --import tsx bench/queue.ts [--sends 500] [--scale-ms 100] [--random-429 0.02] [--seed 7] [--clock date|mono]
 *
 * A backlog of `--sends` messages goes to one destination limited to 1 per second with a burst of 5, served by a
 * local node:http server that enforces that limit itself (a token bucket: 5 tokens, refilled at 1 per second) and
 * answers 429 with Retry-After when it is exceeded, plus a random 429 on `--random-429` of the requests (Retry-After
 * 1–3 s; those consume no token).
 *
 * Time is scaled so the run takes about a minute: one "second" of the protocol is `--scale-ms` real milliseconds
 * (default 100). The server's refill, the Retry-After header (whole scaled seconds, as HTTP sends them) and the
 * client's limit are all in scaled seconds; the client turns Retry-After into `seconds × scale-ms` real milliseconds.
 *
 * Prints: the achieved rate as a percentage of what the server's limit allowed over the same time (burst + rate ×
 * elapsed), the 429s (random and limit), and the requests that arrived inside a Retry-After window the server had
 * announced (must be 0).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { PlatformError, RateLimitedError } from '../src/core/errors.js';
import { createSendQueues } from '../src/queue/send-queues.js';
import { seededRandom } from '../sandbox/shared/seeded-random.js';

const { values: args } = parseArgs({
  options: {
    sends: { type: 'string', default: '500' },
    'scale-ms': { type: 'string', default: '100' },
    'random-429': { type: 'string', default: '0.02' },
    seed: { type: 'string', default: '7' },
    clock: { type: 'string', default: 'date' },
  },
});
const SENDS = Number(args.sends);
const SCALE_MS = Number(args['scale-ms']);
const RANDOM_429 = Number(args['random-429']);
const BURST = 5;
const RATE_PER_SECOND = 1;

// ---- the server: enforces the limit and records what it saw ----

const serverRandom = seededRandom(Number(args.seed));
const stats = {
  requests: 0,
  accepted: 0,
  limit429: 0,
  random429: 0,
  insideRetryAfter: 0,
  firstAt: 0,
  lastAcceptedAt: 0,
};
const windows: { from: number; until: number }[] = [];
let tokens = BURST;
let refilledAt = performance.now();

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const now = performance.now();
    stats.requests += 1;
    if (stats.requests === 1) stats.firstAt = now;
    if (windows.some((window) => now >= window.from && now < window.until)) stats.insideRetryAfter += 1;
    tokens = Math.min(BURST, tokens + ((now - refilledAt) / SCALE_MS) * RATE_PER_SECOND);
    refilledAt = now;
    const answer429 = (seconds: number) => {
      windows.push({ from: now, until: now + seconds * SCALE_MS });
      response.writeHead(429, { 'retry-after': String(seconds), 'content-type': 'application/json' });
      response.end('{"error":"rate_limit_exceeded"}');
    };
    if (serverRandom() < RANDOM_429) {
      stats.random429 += 1;
      answer429(1 + Math.floor(serverRandom() * 3));
    } else if (tokens < 1) {
      stats.limit429 += 1;
      answer429(Math.max(1, Math.ceil((1 - tokens) / RATE_PER_SECOND)));
    } else {
      tokens -= 1;
      stats.accepted += 1;
      stats.lastAcceptedAt = now;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"id":"msg_${stats.accepted}"}`);
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;

// ---- the client: the send queues in front of a minimal REST call ----

const registry = new Registry();
const queues = createSendQueues({
  log: pino({ level: 'silent' }),
  registry,
  destinations: () => ({ limit: { count: 1, perMs: SCALE_MS, burst: BURST } }),
  ...(args.clock === 'mono' ? { now: () => performance.timeOrigin + performance.now() } : {}),
});

async function send(index: number): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ text: `message ${index}` }) });
  const body = await response.text();
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    throw new RateLimitedError('imessage', Number.isFinite(seconds) ? seconds * SCALE_MS : undefined, '429');
  }
  if (!response.ok) throw new PlatformError('imessage', response.status, 'platform_error', body);
  return body;
}

console.log(
  `queue bench: ${SENDS} sends, limit ${RATE_PER_SECOND}/s burst ${BURST}, 1 s = ${SCALE_MS} ms, ` +
    `random 429 ${(RANDOM_429 * 100).toFixed(1)}%, clock ${args.clock}`,
);
const started = performance.now();
const results = await Promise.allSettled(
  Array.from({ length: SENDS }, (_, index) =>
    queues.enqueue('imessage:+15550000000', { label: `m${index}`, run: () => send(index) }),
  ),
);
await queues.drain();
queues.close();
server.close();

const failed = results.filter((result) => result.status === 'rejected').length;
const elapsedScaledS = (stats.lastAcceptedAt - stats.firstAt) / SCALE_MS;
const allowed = BURST + RATE_PER_SECOND * elapsedScaledS;
const idealScaledS = (SENDS - BURST) / RATE_PER_SECOND;
const metric = async (name: string, labels: Record<string, string> = {}) => {
  const found = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const sample = found?.values.find((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v));
  return sample?.value ?? 0;
};
const waits = await Promise.all(
  (['pacing', 'retry_after', 'backoff'] as const).map(async (reason) => {
    const seconds = await metric('threadline_queue_wait_seconds_total', { reason });
    return `${reason} ${(seconds / (SCALE_MS / 1000)).toFixed(1)} s`;
  }),
);

console.log(`wall time                  ${((performance.now() - started) / 1000).toFixed(1)} s real`);
console.log(`accepted / failed          ${stats.accepted} / ${failed} (requests ${stats.requests})`);
console.log(`elapsed first→last accept  ${elapsedScaledS.toFixed(1)} scaled s (ideal ${idealScaledS} s)`);
console.log(`achieved rate              ${(stats.accepted / elapsedScaledS).toFixed(3)} sends/scaled s`);
console.log(
  `% of allowed rate          ${((100 * stats.accepted) / allowed).toFixed(1)}% (allowed ${allowed.toFixed(1)} in that time)`,
);
console.log(
  `429s                       ${stats.random429 + stats.limit429} (random ${stats.random429}, limit ${stats.limit429})`,
);
console.log(`requests inside Retry-After ${stats.insideRetryAfter}`);
console.log(`queue waits (scaled)       ${waits.join(', ')}`);
console.log(
  `queue retries / 429 seen   ${await metric('threadline_queue_retries_total')} / ${await metric('threadline_queue_rate_limited_total')}`,
);
