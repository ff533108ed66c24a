import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitError, type RateLimitData } from 'discord.js';
import { translateDiscordError } from '../../bridges/discord/rest.js';
import { RateLimitedError } from '../../src/core/errors.js';

const data = (over: Partial<RateLimitData>): RateLimitData => ({
  timeToReset: 0,
  limit: 5,
  method: 'POST',
  hash: 'h',
  url: 'https://discord.test/api/v10/channels/1/messages',
  route: '/channels/:id/messages',
  majorParameter: '1',
  global: false,
  retryAfter: 0,
  sublimitTimeout: 0,
  scope: 'user',
  ...over,
});

const waitOf = (over: Partial<RateLimitData>) => {
  const translated = translateDiscordError(new RateLimitError(data(over)), 'POST thread message');
  assert.ok(translated instanceof RateLimitedError);
  return translated.retryAfterMs;
};

describe('Discord 429 → how long to wait', () => {
  it('a bucket waits for its exact reset (X-RateLimit-Reset-After), not the rounded-up Retry-After second', () => {
    assert.equal(waitOf({ retryAfter: 1050, timeToReset: 70 }), 70);
  });

  it('the global limit waits the whole Retry-After (its reset is not the bucket’s)', () => {
    assert.equal(waitOf({ global: true, retryAfter: 1050, timeToReset: 70, scope: 'global' }), 1050);
  });

  it('never waits less than Retry-After says when the reset is unknown or later', () => {
    assert.equal(waitOf({ retryAfter: 1050, timeToReset: 0 }), 1050);
    assert.equal(waitOf({ retryAfter: 1050, timeToReset: 4000 }), 1050);
  });

  it('says when the limit reached is the global one, so every Discord destination pauses, not only this one', () => {
    const translate = (over: Partial<RateLimitData>) =>
      translateDiscordError(new RateLimitError(data(over)), 'POST thread message') as RateLimitedError;
    assert.equal(translate({ global: true, retryAfter: 9, scope: 'global' }).global, true);
    assert.equal(translate({ retryAfter: 1050, timeToReset: 70 }).global, false);
  });
});
