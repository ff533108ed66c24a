/**
 * Webhook load generators (they run in the bench process): deliveries signed as messages.dev signs them
 * (HMAC-SHA256 over `<timestamp>.<raw body>`, a unique delivery_id each), `message.received` from many distinct
 * chats on one line; a closed loop (N callers, each sending its next delivery when the last was answered) and an
 * open loop (deliveries at a fixed rate whatever the answers, latency counted from the scheduled send time, so a
 * stall is not hidden by sending less during it).
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../bridges/imessage/webhook.js';
import { HttpPool } from './http-client.js';
import { percentile } from './stats.js';

export interface Delivery {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Makes `message.received` deliveries for `line`, cycling through `contacts` chats (or the given chat ids). */
export function deliveryFactory(options: {
  secret: string;
  line: string;
  /** How many distinct contacts (chats) the deliveries come from. */
  contacts?: number;
  /** Existing chats `{ chat, sender }` to use instead of synthetic ones. */
  chats?: readonly { chat: string; sender: string }[];
  prefix?: string;
}): { next(text?: string, chatIndex?: number): Delivery; readonly count: number } {
  const run = randomUUID().slice(0, 8);
  const prefix = options.prefix ?? 'bench';
  const chats =
    options.chats ??
    Array.from({ length: options.contacts ?? 1_000 }, (_, i) => ({
      chat: `cht_${prefix}${run}${String(i).padStart(6, '0')}`,
      sender: `+1666${String(i).padStart(7, '0')}`,
    }));
  let n = 0;
  return {
    get count() {
      return n;
    },
    next(text, chatIndex) {
      const i = n++;
      const { chat, sender } = chats[(chatIndex ?? i) % chats.length]!;
      const timestamp = Date.now();
      const id = `${run}${String(i).padStart(10, '0')}`;
      const body = JSON.stringify({
        event: 'message.received',
        data: {
          id: `msg_${prefix}${id}`,
          line_id: 'ln_bench',
          line_handle: options.line,
          chat_id: chat,
          guid: `${run.toUpperCase()}-BE9C-4E1A-9F3D-${String(i).padStart(12, '0')}`,
          sender,
          text: text ?? `${prefix} text ${i}`,
          attachments: [],
          service: 'iMessage',
          is_from_me: false,
          is_audio_message: false,
          sent_at: timestamp,
          synced_at: timestamp,
          outbox_id: null,
          reply_to_guid: null,
        },
        timestamp,
        delivery_id: `dlv_${prefix}${id}`,
      });
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-webhook-signature': signWebhook(options.secret, timestamp, body),
          'x-webhook-timestamp': String(timestamp),
          'x-webhook-delivery-id': `dlv_${prefix}${id}`,
        },
      };
    },
  };
}

export interface LoadResult {
  /** Deliveries answered 200 in the measured window. */
  readonly acked: number;
  /** Answered otherwise, or failed. */
  readonly errors: number;
  /** The errors by HTTP status (0: no answer), e.g. `503×2 0×1`. */
  readonly errorStatuses: string;
  readonly seconds: number;
  readonly perSecond: number;
  /** Ack latency percentiles (ms). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Open loop: the rate offered. */
  readonly offered?: number;
}

type Factory = ReturnType<typeof deliveryFactory>;

/** Sends one delivery; resolves with its HTTP status (0 when it failed). */
export function post(pool: HttpPool, delivery: Delivery): Promise<number> {
  return pool.post('/webhooks/imessage', delivery.headers, delivery.body);
}

/** Keep-alive connections to a webhook receiver (see bench/http-client.ts). */
export function webhookPool(url: string, connections: number): HttpPool {
  return new HttpPool(url, connections);
}

/** Counts answers other than 200 by status. */
class ErrorTally {
  readonly #counts = new Map<number, number>();
  count = 0;

  add(status: number): void {
    this.count++;
    this.#counts.set(status, (this.#counts.get(status) ?? 0) + 1);
  }

  toString(): string {
    return [...this.#counts].map(([status, n]) => `${status}×${n}`).join(' ');
  }
}

function summarize(latencies: number[], errors: ErrorTally, seconds: number, offered?: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    acked: latencies.length,
    errors: errors.count,
    errorStatuses: errors.toString(),
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    ...(offered === undefined ? {} : { offered }),
  };
}

/** `concurrency` callers, each sending back to back; `warmupMs` first (not counted), then `durationMs` measured. */
export async function closedLoop(options: {
  url: string;
  factory: Factory;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}): Promise<LoadResult> {
  const pool = webhookPool(options.url, options.concurrency);
  const latencies: number[] = [];
  const errors = new ErrorTally();
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const caller = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const status = await post(pool, options.factory.next());
      if (t0 < measureFrom) continue;
      if (status === 200) latencies.push(performance.now() - t0);
      else errors.add(status);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const seconds = (performance.now() - measureFrom) / 1000;
  pool.close();
  return summarize(latencies, errors, seconds);
}

/**
 * Deliveries at `rate` per second, on schedule whatever the answers: `warmupMs` first (not counted), then
 * `durationMs` measured. Latency runs from the moment each request is handed to the client; how late the sender
 * itself was against its schedule is reported as `lagP99Ms` (the bench process shares the machine).
 */
export async function openLoop(options: {
  url: string;
  factory: Factory;
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** Connections the sender may open when answers are slow. Default 64. */
  connections?: number;
}): Promise<LoadResult & { lagP99Ms: number }> {
  const pool = webhookPool(options.url, options.connections ?? 64);
  const latencies: number[] = [];
  const lags: number[] = [];
  const errors = new ErrorTally();
  const interval = 1000 / options.rate;
  const total = Math.round(((options.warmupMs + options.durationMs) / 1000) * options.rate);
  const warmup = Math.round((options.warmupMs / 1000) * options.rate);
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const send = (i: number, due: number) => {
    const t0 = performance.now();
    const sending = post(pool, options.factory.next()).then((status) => {
      if (i < warmup) return;
      lags.push(t0 - due);
      if (status === 200) latencies.push(performance.now() - t0);
      else errors.add(status);
    });
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && started + i * interval <= now) {
      send(i, started + i * interval);
      i++;
    }
    const wait = started + i * interval - performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
  await Promise.all([...inFlight]);
  pool.close();
  lags.sort((a, b) => a - b);
  return { ...summarize(latencies, errors, options.durationMs / 1000, options.rate), lagP99Ms: percentile(lags, 0.99) };
}
