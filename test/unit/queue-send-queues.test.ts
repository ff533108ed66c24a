import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BridgeError, PlatformError, RateLimitedError } from '../../src/core/errors.js';
import { QueueClosedError } from '../../src/queue/queue-closed-error.js';
import type {
  DestinationConfig,
  FailedItem,
  ReconcileVerdict,
  SendQueuesOptions,
  SendTask,
} from '../../src/queue/send-queue-types.js';
import { createSendQueues } from '../../src/queue/send-queues.js';

// ---- harness: fake clock, log capture, call journal ----

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function setup(t: TestContext, overrides: Partial<SendQueuesOptions> = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  const registry = new Registry();
  const failed: { item: FailedItem; error: unknown }[] = [];
  const queues = createSendQueues({
    log,
    registry,
    random: () => 0.5,
    onFailed: (item, error) => failed.push({ item, error }),
    ...overrides,
  });
  t.after(() => queues.close());
  const calls: { label: string; at: number }[] = [];
  /** Moves fake time forward 1 ms at a time, letting every promise chain settle at each step. */
  async function advance(ms: number): Promise<void> {
    for (let step = 0; step < ms; step += 1) {
      t.mock.timers.tick(1);
      await flush();
    }
  }
  /** A task whose run records its start and plays `script` (an Error is thrown; anything else is returned). */
  function scripted(label: string, script: unknown[] = [], extra: Partial<SendTask<string>> = {}): SendTask<string> {
    return {
      label,
      run: () => {
        calls.push({ label, at: Date.now() });
        const next = script.shift();
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(label);
      },
      ...extra,
    };
  }
  const startsOf = (label: string) => calls.filter((call) => call.label === label).map((call) => call.at);
  return { queues, lines, registry, failed, calls, advance, scripted, startsOf };
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Observes a promise without letting its rejection go unhandled. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown; order?: number } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value, order: ++settledCount }),
    (error: unknown) => Object.assign(state, { settled: true, error, order: ++settledCount }),
  );
  return state;
}
let settledCount = 0;

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const sample = metric?.values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return sample?.value ?? 0;
}

const perSecond = (): DestinationConfig => ({ limit: { count: 1, perMs: 1000 } });
const retryable = (message = 'busy') => new PlatformError('slack', 503, 'platform_error', message, { retryable: true });

// ---- pacing ----

describe('pacing', () => {
  it('runs N items at 1/s in N-1 seconds, one at a time, in order', async (t) => {
    const h = setup(t, { destinations: perSecond });
    const items = ['a', 'b', 'c', 'd', 'e'].map((label) => watch(h.queues.enqueue('line', h.scripted(label))));
    assert.equal(h.queues.depth('line'), 5);
    await flush();
    assert.equal(h.queues.depth('line'), 4);
    await h.advance(3999);
    assert.deepEqual(
      h.calls.map((call) => call.at),
      [0, 1000, 2000, 3000],
    );
    await h.advance(1);
    assert.deepEqual(
      h.calls.map((call) => call.label),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.equal(h.calls.at(-1)?.at, 4000);
    assert.ok(items.every((item) => item.settled));
    assert.equal(h.queues.depth('line'), 0);
  });

  it('lets a burst through back to back, then holds the long-run rate', async (t) => {
    const h = setup(t, { destinations: () => ({ limit: { count: 1, perMs: 1000, burst: 3 } }) });
    for (const label of ['1', '2', '3', '4', '5', '6', '7']) watch(h.queues.enqueue('channel', h.scripted(label)));
    await flush();
    await h.advance(6000);
    assert.deepEqual(
      h.calls.map((call) => call.at),
      [0, 0, 0, 3000, 3000, 3000, 6000],
    );
  });

  it('keeps each destination on its own pace', async (t) => {
    const h = setup(t, {
      destinations: (key) => (key === 'discord' ? { limit: { count: 5, perMs: 5000 } } : perSecond()),
    });
    for (let i = 0; i < 7; i += 1) watch(h.queues.enqueue('discord', h.scripted(`d${i}`)));
    for (let i = 0; i < 3; i += 1) watch(h.queues.enqueue('line', h.scripted(`l${i}`)));
    await flush();
    await h.advance(5000);
    assert.deepEqual(
      h.calls.filter((call) => call.label.startsWith('d')).map((call) => call.at),
      [0, 0, 0, 0, 0, 5000, 5000],
    );
    assert.deepEqual(
      h.calls.filter((call) => call.label.startsWith('l')).map((call) => call.at),
      [0, 1000, 2000],
    );
  });
});

// ---- rate limits ----

describe('429 handling', () => {
  it('keeps a Retry-After in the pause book, and a new set of queues (a restarted process) waits it out', async (t) => {
    const book = new Map<string, number>();
    const pauses = {
      until: (name: string) => book.get(name),
      record: (name: string, until: number) => book.set(name, until),
    };
    const h = setup(t, { destinations: perSecond, pauses });
    watch(h.queues.enqueue('C1', h.scripted('told to wait', [new RateLimitedError('slack', 3000, '429')])));
    await flush();
    assert.deepEqual([...book], [['C1', 3000]]);
    h.queues.close();
    await h.advance(1000);

    // The process died 1 s into the pause; the next one opens the same destination.
    const restarted = createSendQueues({
      log: pino({ level: 'silent' }),
      registry: new Registry(),
      destinations: perSecond,
      pauses,
    });
    t.after(() => restarted.close());
    watch(restarted.enqueue('C1', h.scripted('after restart')));
    watch(restarted.enqueue('C2', h.scripted('other destination')));
    await h.advance(1999);
    assert.deepEqual(h.startsOf('after restart'), [], 'nothing inside the announced window');
    assert.ok((h.startsOf('other destination')[0] ?? Infinity) <= 1001, 'another destination is not held');
    await h.advance(1);
    assert.deepEqual(h.startsOf('after restart'), [3000]);
  });

  it('restorePauses applies the book to destinations opened before it had anything', async (t) => {
    const book = new Map<string, number>();
    const h = setup(t, {
      destinations: perSecond,
      pauses: { until: (name) => book.get(name), record: (name, until) => book.set(name, until) },
    });
    watch(h.queues.enqueue('C1', h.scripted('first')));
    await flush();
    book.set('C1', 5000);
    h.queues.restorePauses();
    watch(h.queues.enqueue('C1', h.scripted('second')));
    await h.advance(4999);
    assert.deepEqual(h.startsOf('second'), []);
    await h.advance(1);
    assert.deepEqual(h.startsOf('second'), [5000]);
  });

  it('pauses the destination for exactly Retry-After, retries the same item first, others keep flowing', async (t) => {
    const h = setup(t, { destinations: perSecond });
    const first = watch(h.queues.enqueue('C1', h.scripted('first', [new RateLimitedError('slack', 3000, '429')])));
    const second = watch(h.queues.enqueue('C1', h.scripted('second')));
    for (const label of ['x', 'y', 'z']) watch(h.queues.enqueue('C2', h.scripted(label)));
    await flush();
    await h.advance(2999);
    // Nothing of C1 started during the pause; C2 kept its own pace.
    assert.deepEqual(
      h.calls.filter((call) => call.label === 'first' || call.label === 'second'),
      [{ label: 'first', at: 0 }],
    );
    assert.deepEqual(h.startsOf('z'), [2000]);
    await h.advance(1);
    assert.deepEqual(h.startsOf('first'), [0, 3000]);
    assert.equal(first.settled, true);
    assert.equal(second.settled, false);
    await h.advance(1000);
    assert.deepEqual(h.startsOf('second'), [4000]);
    const warned = h.lines.find((line) => line.msg === 'Send rate limited');
    assert.equal(warned?.waitMs, 3000);
    assert.equal(warned?.destination, 'C1');
    assert.equal(
      await metricValue(h.registry, 'threadline_queue_wait_seconds_total', {
        destination: 'C1',
        reason: 'retry_after',
      }),
      3,
    );
  });

  it('backs off exponentially from 1 s when no Retry-After was given', async (t) => {
    const limited = () => new RateLimitedError('discord', undefined, '429');
    const h = setup(t, { rateLimitBackoff: { capMs: 3000 } });
    watch(h.queues.enqueue('D', h.scripted('a', [limited(), limited(), limited()])));
    await flush();
    await h.advance(8000);
    assert.deepEqual(h.startsOf('a'), [0, 1000, 3000, 6000]);
  });

  it('a bucket-scoped 429 pauses every destination of the bucket, not the others', async (t) => {
    const h = setup(t, {
      buckets: { key: { limit: { count: 100, perMs: 1000 } } },
      destinations: (key) =>
        key.startsWith('line') ? { ...perSecond(), buckets: ['key'], rateLimitScope: 'bucket' } : perSecond(),
    });
    watch(h.queues.enqueue('line1', h.scripted('a', [new RateLimitedError('imessage', 5000, '429')])));
    await flush();
    await h.advance(10);
    watch(h.queues.enqueue('line2', h.scripted('b')));
    watch(h.queues.enqueue('slack', h.scripted('s')));
    await flush();
    assert.deepEqual(h.startsOf('s'), [10]);
    await h.advance(4989);
    assert.deepEqual(h.startsOf('b'), []);
    await h.advance(1);
    assert.deepEqual(h.startsOf('a'), [0, 5000]);
    assert.deepEqual(h.startsOf('b'), [5000]);
    assert.equal(
      await metricValue(h.registry, 'threadline_queue_wait_seconds_total', {
        destination: 'line2',
        reason: 'retry_after',
      }),
      4.99,
    );
    assert.equal(await metricValue(h.registry, 'threadline_queue_rate_limited_total', { destination: 'line1' }), 1);
  });

  it('a 429 the platform says is global pauses every destination of the shared bucket, whatever their own scope', async (t) => {
    const h = setup(t, {
      buckets: { global: { limit: { count: 50, perMs: 1000 } } },
      destinations: (key) => (key.startsWith('thread') ? { ...perSecond(), buckets: ['global'] } : perSecond()),
    });
    const global = new RateLimitedError('discord', 300, '429 (global)', { global: true });
    watch(h.queues.enqueue('thread1', h.scripted('a', [global])));
    await flush();
    await h.advance(10);
    watch(h.queues.enqueue('thread2', h.scripted('b')));
    watch(h.queues.enqueue('slack', h.scripted('s')));
    await flush();
    assert.deepEqual(h.startsOf('s'), [10], 'a destination outside the bucket keeps going');
    await h.advance(289);
    assert.deepEqual(h.startsOf('b'), [], 'no call of the bucket inside the global Retry-After');
    await h.advance(1);
    assert.deepEqual(h.startsOf('b'), [300]);
    await h.advance(700);
    assert.deepEqual(h.startsOf('a'), [0, 1000], "the refused call again, at its own destination's pace");
    const limited = h.lines.find((line) => line['msg'] === 'Send rate limited');
    assert.equal(limited?.['scope'], 'bucket');
    assert.deepEqual(limited?.['paused'], ['global']);
  });

  it('a 429 of the destination alone still pauses only that destination', async (t) => {
    const h = setup(t, {
      buckets: { global: { limit: { count: 50, perMs: 1000 } } },
      destinations: () => ({ ...perSecond(), buckets: ['global'] }),
    });
    watch(h.queues.enqueue('thread1', h.scripted('a', [new RateLimitedError('discord', 3000, '429')])));
    await flush();
    await h.advance(10);
    watch(h.queues.enqueue('thread2', h.scripted('b')));
    await flush();
    assert.deepEqual(h.startsOf('b'), [10]);
  });

  it('keeps the order of a destination across 429s and retries', async (t) => {
    const h = setup(t, { retry: { baseMs: 100, capMs: 1000 } });
    const done: string[] = [];
    const scripts: Record<string, unknown[]> = {
      '1': [],
      '2': [retryable(), retryable()],
      '3': [new RateLimitedError('slack', undefined, '429')],
      '4': [new RateLimitedError('slack', 700, '429'), retryable()],
      '5': [],
    };
    const items = Object.entries(scripts).map(([label, script]) =>
      h.queues.enqueue('C', h.scripted(label, script)).then((value) => done.push(value)),
    );
    await flush();
    await h.advance(3000);
    await Promise.all(items);
    assert.deepEqual(done, ['1', '2', '3', '4', '5']);
    assert.deepEqual(
      h.calls.map((call) => call.label),
      ['1', '2', '2', '2', '3', '3', '4', '4', '4', '5'],
    );
  });
});

// ---- failures ----

describe('pacing that learns the real budget', () => {
  const slackLike = (): DestinationConfig => ({ limit: { count: 1, perMs: 1000, burst: 3 } });

  it('learns from a 429 after a burst that there is none: exactly Retry-After, then one a second, never faster', async (t) => {
    const h = setup(t, { destinations: slackLike });
    const script: Record<string, unknown[]> = { b: [new RateLimitedError('slack', 1000, '429')] };
    for (const label of ['a', 'b', 'c', 'd', 'e']) {
      watch(h.queues.enqueue('C1', h.scripted(label, script[label] ?? [])));
    }
    await flush();
    await h.advance(5000);
    assert.deepEqual(
      h.calls.map((call) => [call.label, call.at]),
      [
        ['a', 0],
        ['b', 0],
        ['b', 1000],
        ['c', 2000],
        ['d', 3000],
        ['e', 4000],
      ],
    );
    assert.equal(h.lines.filter((line) => line['learned'] === 'no burst').length, 1);
    // Learned for good: a later backlog starts at the learned rate, so it meets no 429.
    await h.advance(10_000);
    for (const label of ['f', 'g', 'h']) watch(h.queues.enqueue('C1', h.scripted(label)));
    await flush();
    await h.advance(2000);
    assert.deepEqual(
      ['f', 'g', 'h'].map((label) => h.startsOf(label)),
      [[15_000], [16_000], [17_000]],
    );
  });

  it('does not narrow the limit on a 429 that followed no burst (the pause alone answers it)', async (t) => {
    const h = setup(t, { destinations: slackLike });
    watch(h.queues.enqueue('C1', h.scripted('a', [new RateLimitedError('slack', 1000, '429')])));
    await flush();
    await h.advance(4000);
    assert.deepEqual(h.startsOf('a'), [0, 1000]);
    assert.deepEqual(
      h.lines.flatMap((line) => (line['learned'] === undefined ? [] : [line['learned']])),
      [],
    );
    for (const label of ['x', 'y', 'z']) watch(h.queues.enqueue('C1', h.scripted(label)));
    await flush();
    await h.advance(1);
    assert.deepEqual(
      ['x', 'y', 'z'].map((label) => h.startsOf(label)),
      [[4000], [4000], [4000]],
      'the burst is still allowed',
    );
  });

  it('counts each call from its answer: a slow call never leaves the next one short of an interval at the server', async (t) => {
    const h = setup(t, { destinations: () => ({ limit: { count: 1, perMs: 1000, burst: 1 } }) });
    /** A call the platform answers `ms` after it was sent (the server counts it somewhere in between). */
    const slow = (label: string, ms: number, script: unknown[] = []) =>
      h.scripted(label, script, {
        run: () => {
          h.calls.push({ label, at: Date.now() });
          const next = script.shift();
          return new Promise((resolve, reject) =>
            setTimeout(() => (next instanceof Error ? reject(next) : resolve(label)), ms),
          );
        },
      });
    // The server counts a call somewhere between its send and its answer: the answer is the safe end.
    watch(h.queues.enqueue('C1', slow('a', 30)));
    watch(h.queues.enqueue('C1', slow('b', 30, [new RateLimitedError('slack', 1000, '429')])));
    watch(h.queues.enqueue('C1', slow('c', 30)));
    watch(h.queues.enqueue('C1', slow('d', 30)));
    await flush();
    await h.advance(5000);
    assert.deepEqual(
      h.calls.map((call) => [call.label, call.at]),
      [
        ['a', 0],
        ['b', 1030],
        // Refused at 1060: exactly Retry-After from the refusal, then each a full interval after the last answer.
        ['b', 2060],
        ['c', 3090],
        ['d', 4120],
      ],
    );
    assert.equal(h.lines.filter((line) => line['msg'] === 'Send rate limited').length, 1);
  });

  it('counts each call of a shared bucket from its own answer: a call held before it left cannot crowd the next window', async (t) => {
    const h = setup(t, {
      buckets: { global: { limit: { count: 2, perMs: 1000 } } },
      destinations: () => ({ buckets: ['global'] }),
    });
    const answeredAfter = (label: string, ms: number) =>
      h.scripted(label, [], {
        run: () => {
          h.calls.push({ label, at: Date.now() });
          return new Promise((resolve) => setTimeout(() => resolve(label), ms));
        },
      });
    // Both start at 0; 'slow' is answered at 600 (the platform may count it as late as that), 'fast' at 10.
    watch(h.queues.enqueue('A', answeredAfter('slow', 600)));
    watch(h.queues.enqueue('B', answeredAfter('fast', 10)));
    watch(h.queues.enqueue('C', answeredAfter('third', 10)));
    watch(h.queues.enqueue('D', answeredAfter('fourth', 10)));
    await flush();
    await h.advance(2000);
    assert.deepEqual(h.startsOf('slow'), [0]);
    assert.deepEqual(h.startsOf('fast'), [0]);
    // A window after each answer, not after each send: 'fast' left the window at 1010, 'slow' at 1600.
    assert.deepEqual(h.startsOf('third'), [1010]);
    assert.deepEqual(h.startsOf('fourth'), [1600]);
  });

  it('follows the budget the platform states: holds calls when none remain, lets them go at the reset', async (t) => {
    const h = setup(t, { destinations: () => ({ limit: { count: 5, perMs: 5000 } }) });
    // Our own estimate would let five go at once; the platform says none remain for 1.2 s.
    h.queues.observe('T1', { limit: 5, remaining: 0, resetAfterMs: 1200 });
    for (const label of ['a', 'b']) watch(h.queues.enqueue('T1', h.scripted(label)));
    await flush();
    await h.advance(1199);
    assert.equal(h.calls.length, 0);
    await h.advance(1);
    assert.deepEqual(
      h.calls.map((call) => call.at),
      [1200, 1200],
    );
  });

  it('follows a stated budget past our own estimate, and never inside a Retry-After', async (t) => {
    const h = setup(t, { destinations: () => ({ limit: { count: 5, perMs: 5000 } }) });
    for (const label of ['1', '2', '3', '4', '5']) watch(h.queues.enqueue('T1', h.scripted(label)));
    await flush();
    await h.advance(100);
    assert.equal(h.calls.length, 5);
    // The platform's window (opened by our first call) resets at 1 s, sooner than our sliding estimate.
    h.queues.observe('T1', { limit: 5, remaining: 0, resetAfterMs: 900 });
    watch(h.queues.enqueue('T1', h.scripted('6', [new RateLimitedError('discord', 2000, '429')])));
    watch(h.queues.enqueue('T1', h.scripted('7')));
    await flush();
    await h.advance(900);
    assert.deepEqual(h.startsOf('6'), [1000], 'at the stated reset');
    h.queues.observe('T1', { limit: 5, remaining: 4, resetAfterMs: 5000 });
    await h.advance(2999);
    assert.deepEqual(h.startsOf('6'), [1000, 3000], 'exactly Retry-After later, despite the stated budget');
    assert.deepEqual(h.startsOf('7'), [3000]);
  });
});

describe('retries and failures', () => {
  it('retries transient errors with jittered exponential backoff, then succeeds', async (t) => {
    const h = setup(t); // random 0.5, base 500: waits 250, 500, 1000
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    const item = watch(h.queues.enqueue('C', h.scripted('a', [retryable(), refused, retryable()])));
    await flush();
    await h.advance(1750);
    assert.deepEqual(h.startsOf('a'), [0, 250, 750, 1750]);
    assert.equal(item.value, 'a');
    assert.equal(h.failed.length, 0);
    assert.equal(
      await metricValue(h.registry, 'threadline_queue_wait_seconds_total', { destination: 'C', reason: 'backoff' }),
      1.75,
    );
  });

  it('fails for good after max attempts and reports it once', async (t) => {
    const h = setup(t, { retry: { maxAttempts: 3 } });
    const last = retryable('still busy');
    const item = watch(h.queues.enqueue('C', h.scripted('a', [retryable(), retryable(), last])));
    await flush();
    await h.advance(2000);
    assert.deepEqual(h.startsOf('a'), [0, 250, 750]);
    assert.equal(item.error, last);
    assert.equal(h.failed.length, 1);
    assert.deepEqual(h.failed[0]?.item, {
      destination: 'C',
      id: 1,
      label: 'a',
      priority: 'send',
      attempts: 3,
      code: 'platform_error',
    });
  });

  it('ends a permanent error at once, calls onFailed and moves on', async (t) => {
    const h = setup(t);
    const forbidden = new PlatformError('imessage', 403, 'platform_error', 'contact_has_not_messaged');
    const item = watch(h.queues.enqueue('L', h.scripted('a', [forbidden])));
    const next = watch(h.queues.enqueue('L', h.scripted('b')));
    await flush();
    assert.equal(item.error, forbidden);
    assert.equal(next.value, 'b');
    assert.deepEqual(h.startsOf('a'), [0]);
    assert.equal(h.failed[0]?.error, forbidden);
    assert.ok(
      h.lines.some((line) => line.msg === 'Send failed' && line.code === 'platform_error' && line.level === 50),
    );
  });
});

describe('unknown outcome', () => {
  const timedOut = () => new BridgeError('outcome_unknown', 'POST timed out', { retryable: true });
  const reconcileWith = (...verdicts: ReconcileVerdict<string>[]) => {
    const at: number[] = [];
    const reconcile = () => {
      at.push(Date.now());
      return Promise.resolve(verdicts.shift() ?? { outcome: 'unknown' as const });
    };
    return { at, reconcile };
  };

  it('applied: succeeds with the evidence, without resending', async (t) => {
    const h = setup(t, { reconcileDelayMs: 2000 });
    const check = reconcileWith({ outcome: 'applied', value: 'msg_found' });
    const item = watch(h.queues.enqueue('L', h.scripted('a', [timedOut()], { reconcile: check.reconcile })));
    await flush();
    await h.advance(1999);
    assert.deepEqual(check.at, []);
    await h.advance(1);
    assert.deepEqual(check.at, [2000]);
    assert.equal(item.value, 'msg_found');
    assert.deepEqual(h.startsOf('a'), [0]);
    assert.equal(await metricValue(h.registry, 'threadline_queue_sent_total', { destination: 'L' }), 1);
  });

  it('not-applied: runs the task again', async (t) => {
    const h = setup(t, { reconcileDelayMs: 2000 });
    const check = reconcileWith({ outcome: 'not-applied' });
    const item = watch(h.queues.enqueue('L', h.scripted('a', [timedOut()], { reconcile: check.reconcile })));
    await flush();
    await h.advance(2250);
    assert.deepEqual(h.startsOf('a'), [0, 2250]); // reconcile at 2000, then the first backoff (250)
    assert.equal(item.value, 'a');
  });

  for (const variant of ['reconcile says unknown', 'no reconcile'] as const) {
    it(`${variant}: fails with outcome_unknown and never resends`, async (t) => {
      const h = setup(t, { reconcileDelayMs: 2000 });
      const error = timedOut();
      const extra = variant === 'no reconcile' ? {} : { reconcile: reconcileWith({ outcome: 'unknown' }).reconcile };
      const item = watch(h.queues.enqueue('L', h.scripted('a', [error], extra)));
      await flush();
      await h.advance(5000);
      assert.equal(item.error, error);
      assert.deepEqual(h.startsOf('a'), [0]);
      assert.equal(h.failed[0]?.item.code, 'outcome_unknown');
    });
  }

  it('treats a raw connection reset as unknown unless the task is idempotent', async (t) => {
    const h = setup(t);
    const reset = () =>
      new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    const post = watch(h.queues.enqueue('L', h.scripted('post', [reset()])));
    const get = watch(h.queues.enqueue('L', h.scripted('get', [reset()], { idempotent: true })));
    await flush();
    await h.advance(250);
    assert.ok(post.error instanceof TypeError);
    assert.deepEqual(h.startsOf('post'), [0]);
    assert.equal(get.value, 'get');
    assert.deepEqual(h.startsOf('get'), [0, 250]);
  });
});

// ---- shared buckets: sends before polls ----

describe('shared bucket priority', () => {
  it('polls leave the reserve to sends', async (t) => {
    const h = setup(t, {
      buckets: { key: { limit: { count: 2, perMs: 10_000 }, pollReserve: 1 } },
      destinations: () => ({ buckets: ['key'] }),
    });
    watch(h.queues.enqueue('poll1', h.scripted('p1', [], { priority: 'poll' })));
    watch(h.queues.enqueue('poll2', h.scripted('p2', [], { priority: 'poll' })));
    await flush();
    await h.advance(5);
    watch(h.queues.enqueue('line', h.scripted('s1')));
    await flush();
    await h.advance(10_000);
    assert.deepEqual(h.calls, [
      { label: 'p1', at: 0 },
      { label: 's1', at: 5 },
      { label: 'p2', at: 10_005 }, // needs 2 free tokens (reserve 1): both p1's and s1's must leave the window
    ]);
  });

  it("a destination's own pacing treats polls like sends", async (t) => {
    const h = setup(t, { destinations: () => ({ limit: { count: 5, perMs: 5000 } }) });
    for (const label of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      watch(h.queues.enqueue('poller', h.scripted(label, [], { priority: 'poll' })));
    }
    await flush();
    assert.deepEqual(
      h.calls.map((call) => call.at),
      [0, 0, 0, 0, 0],
    );
  });

  it('a waiting send gets the next token before a poll that waited longer', async (t) => {
    const h = setup(t, {
      buckets: { key: { limit: { count: 1, perMs: 1000 }, pollReserve: 0 } },
      destinations: () => ({ buckets: ['key'] }),
    });
    watch(h.queues.enqueue('line1', h.scripted('s0')));
    await flush();
    await h.advance(1);
    watch(h.queues.enqueue('poller', h.scripted('poll', [], { priority: 'poll' })));
    await flush();
    await h.advance(1);
    watch(h.queues.enqueue('line2', h.scripted('s1')));
    await flush();
    await h.advance(2000);
    assert.deepEqual(h.calls, [
      { label: 's0', at: 0 },
      { label: 's1', at: 1000 },
      { label: 'poll', at: 2000 },
    ]);
  });
});

// ---- metrics, drain, close ----

describe('lifecycle and metrics', () => {
  it('counts a scenario in the registry', async (t) => {
    const h = setup(t, { destinations: perSecond });
    watch(h.queues.enqueue('C', h.scripted('a', [new RateLimitedError('slack', 2000, '429')])));
    watch(h.queues.enqueue('C', h.scripted('b', [retryable()])));
    watch(h.queues.enqueue('C', h.scripted('c', [new PlatformError('slack', 400, 'platform_error', 'bad')])));
    await flush();
    assert.equal(await metricValue(h.registry, 'threadline_queue_depth', { destination: 'C' }), 3);
    await h.advance(5000);
    const value = (name: string, labels: Record<string, string> = {}) =>
      metricValue(h.registry, name, { destination: 'C', ...labels });
    assert.equal(await value('threadline_queue_depth'), 0);
    assert.equal(await value('threadline_queue_rate_limited_total'), 1);
    assert.equal(await value('threadline_queue_retries_total'), 2);
    assert.equal(await value('threadline_queue_sent_total'), 2);
    assert.equal(await value('threadline_queue_failures_total', { code: 'platform_error' }), 1);
    assert.equal(await value('threadline_queue_wait_seconds_total', { reason: 'retry_after' }), 2);
    // b waits 1 s after a's retry, 1 s before its own retry (pacing outlasts the 250 ms backoff, so the wait counts
    // as pacing), c 1 s after b.
    assert.equal(await value('threadline_queue_wait_seconds_total', { reason: 'pacing' }), 3);
    assert.equal(await value('threadline_queue_wait_seconds_total', { reason: 'backoff' }), 0);
    assert.deepEqual(
      h.calls.map((call) => `${call.label}@${call.at}`),
      ['a@0', 'a@2000', 'b@3000', 'b@4000', 'c@5000'],
    );
  });

  it('drain resolves after the last item', async (t) => {
    const h = setup(t, { destinations: perSecond });
    const items = ['a', 'b', 'c'].map((label) => watch(h.queues.enqueue('C', h.scripted(label))));
    watch(h.queues.enqueue('D', h.scripted('d')));
    const drained = watch(h.queues.drain());
    await flush();
    await h.advance(1999);
    assert.equal(drained.settled, false);
    await h.advance(1);
    assert.equal(drained.settled, true);
    assert.ok(items.every((item) => item.settled && (item.order ?? 0) < (drained.order ?? 0)));
  });

  it('close stops the timers and rejects what is left, without calling onFailed', async (t) => {
    const h = setup(t, { destinations: perSecond });
    const first = watch(h.queues.enqueue('C', h.scripted('a')));
    const waiting = watch(h.queues.enqueue('C', h.scripted('b')));
    const queued = watch(h.queues.enqueue('C', h.scripted('c')));
    await flush();
    h.queues.close();
    await flush();
    assert.equal(first.value, 'a');
    assert.ok(waiting.error instanceof QueueClosedError);
    assert.ok(queued.error instanceof QueueClosedError);
    await assert.rejects(h.queues.enqueue('C', h.scripted('d')), QueueClosedError);
    await h.queues.drain();
    assert.deepEqual(h.startsOf('b'), []);
    assert.equal(h.failed.length, 0);
  });

  it('rejects a destination that names an unknown bucket', async (t) => {
    const h = setup(t, { destinations: () => ({ buckets: ['nope'] }) });
    await assert.rejects(h.queues.enqueue('C', h.scripted('a')), /unknown bucket/);
  });
});
