import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BridgeError, ConfigError, PlatformError, RateLimitedError } from '../../src/core/errors.js';
import { computeExponentialBackoffMs, computeJitteredBackoffMs } from '../../src/queue/backoff.js';
import { classifySendError } from '../../src/queue/classify-error.js';
import { resolveDefaultDestination } from '../../src/queue/default-limits.js';
import { shapeRateLimit } from '../../src/queue/rate-limit.js';
import { WindowLimiter } from '../../src/queue/window-limiter.js';

describe('shapeRateLimit', () => {
  const cases = [
    { limit: { count: 1, perMs: 1000 }, capacity: 1, windowMs: 1000 },
    { limit: { count: 5, perMs: 5000 }, capacity: 5, windowMs: 5000 },
    { limit: { count: 1, perMs: 1000, burst: 5 }, capacity: 5, windowMs: 5000 },
    { limit: { count: 1000, perMs: 3_600_000 }, capacity: 1000, windowMs: 3_600_000 },
  ];
  for (const { limit, capacity, windowMs } of cases) {
    it(`${JSON.stringify(limit)} is ${capacity} per ${windowMs} ms`, () => {
      assert.deepEqual(shapeRateLimit(limit, 'x'), { capacity, windowMs });
    });
  }

  it('rejects unusable limits with a ConfigError naming the key', () => {
    assert.throws(
      () => shapeRateLimit({ count: 0, perMs: -1, burst: 1.5 }, 'buckets.key'),
      (error: unknown) =>
        error instanceof ConfigError && error.issues.length === 3 && error.issues[0]?.path === 'buckets.key',
    );
  });
});

describe('WindowLimiter', () => {
  it('lets `capacity` start at once, then the next when the oldest leaves the window', () => {
    const limiter = new WindowLimiter({ capacity: 3, windowMs: 3000 });
    for (const at of [0, 10, 20]) {
      assert.equal(limiter.waitMs(at), 0);
      limiter.take(at);
    }
    assert.equal(limiter.waitMs(20), 2980);
    assert.equal(limiter.waitMs(2999), 1);
    assert.equal(limiter.waitMs(3000), 0);
    assert.equal(limiter.available(3010), 2);
    assert.equal(limiter.isIdle(3019), false);
    assert.equal(limiter.isIdle(3020), true);
  });

  it('computes the wait for several tokens at once and never for more than the capacity', () => {
    const limiter = new WindowLimiter({ capacity: 4, windowMs: 1000 });
    for (const at of [0, 100, 200, 300]) limiter.take(at);
    assert.equal(limiter.waitMs(300, 2), 800); // the starts at 0 and 100 must leave
    assert.equal(limiter.waitMs(300, 5), Number.POSITIVE_INFINITY);
  });

  it('stays bounded over many windows', () => {
    const limiter = new WindowLimiter({ capacity: 2, windowMs: 10 });
    for (let at = 0; at < 10_000; at += 5) {
      assert.equal(limiter.waitMs(at), 0);
      limiter.take(at);
    }
    assert.equal(limiter.available(10_000), 1);
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap', () => {
    const policy = { baseMs: 1000, capMs: 5000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => computeExponentialBackoffMs(n, policy)),
      [1000, 2000, 4000, 5000, 5000],
    );
  });

  it('draws full jitter below the exponential ceiling', () => {
    const policy = { baseMs: 500, capMs: 30_000 };
    assert.deepEqual(
      [1, 2, 3, 10].map((n) => computeJitteredBackoffMs(n, policy, () => 0.5)),
      [250, 500, 1000, 15_000],
    );
    assert.equal(
      computeJitteredBackoffMs(3, policy, () => 0),
      0,
    );
  });
});

describe('classifySendError', () => {
  const withCode = (code: string): Error => Object.assign(new Error(code), { code });
  const fetchFailed = (code: string): Error => new TypeError('fetch failed', { cause: withCode(code) });
  const cases: { name: string; error: unknown; idempotent?: boolean; kind: string; code: string }[] = [
    {
      name: '429 with Retry-After',
      error: new RateLimitedError('slack', 3000, 'slow down'),
      kind: 'rate_limited',
      code: 'rate_limited',
    },
    {
      name: '429 without Retry-After',
      error: new RateLimitedError('slack', undefined, 'slow down'),
      kind: 'rate_limited',
      code: 'rate_limited',
    },
    {
      name: 'outcome unknown',
      error: new BridgeError('outcome_unknown', 'timed out', { retryable: true }),
      kind: 'outcome_unknown',
      code: 'outcome_unknown',
    },
    {
      name: 'retryable platform error',
      error: new PlatformError('discord', 503, 'platform_error', 'down', { retryable: true }),
      kind: 'transient',
      code: 'platform_error',
    },
    {
      name: 'permanent platform error',
      error: new PlatformError('imessage', 403, 'platform_error', 'contact first'),
      kind: 'permanent',
      code: 'platform_error',
    },
    { name: 'connect refused (raw)', error: fetchFailed('ECONNREFUSED'), kind: 'transient', code: 'network_error' },
    {
      name: 'reset mid-request (raw)',
      error: fetchFailed('ECONNRESET'),
      kind: 'outcome_unknown',
      code: 'outcome_unknown',
    },
    {
      name: 'reset mid-request, idempotent',
      error: fetchFailed('UND_ERR_SOCKET'),
      idempotent: true,
      kind: 'transient',
      code: 'network_error',
    },
    {
      name: 'abort timeout',
      error: new DOMException('timed out', 'TimeoutError'),
      kind: 'outcome_unknown',
      code: 'outcome_unknown',
    },
    { name: 'a bug', error: new TypeError('x is undefined'), kind: 'permanent', code: 'unexpected' },
  ];
  for (const { name, error, idempotent, kind, code } of cases) {
    it(name, () => {
      const sorted = classifySendError(error, idempotent ?? false);
      assert.equal(sorted.kind, kind);
      assert.equal(sorted.code, code);
    });
  }

  it('keeps the Retry-After only when it is usable', () => {
    assert.equal(classifySendError(new RateLimitedError('slack', 1500, 'x'), false).retryAfterMs, 1500);
    assert.equal(classifySendError(new RateLimitedError('slack', Number.NaN, 'x'), false).retryAfterMs, undefined);
  });
});

describe('resolveDefaultDestination', () => {
  it('paces by the platform named in the key', () => {
    assert.deepEqual(resolveDefaultDestination('imessage:+15551234567').limit, { count: 1, perMs: 1000 });
    assert.deepEqual(resolveDefaultDestination('discord:1122').limit, { count: 5, perMs: 5000 });
    assert.equal(resolveDefaultDestination('slack:C0123').limit?.burst, 3);
    assert.equal(resolveDefaultDestination('other').limit, undefined);
  });
});
