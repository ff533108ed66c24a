import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDestination, postDestination, slackDestinationConfig } from '../../bridges/slack/web.js';
import { shapeRateLimit } from '../../src/queue/rate-limit.js';

describe('Slack pacing per destination', () => {
  it('gives each Web API method its own queue: Slack budgets per method and workspace', () => {
    assert.notEqual(methodDestination('conversations.replies'), methodDestination('chat.update'));
    assert.notEqual(methodDestination('conversations.replies'), postDestination('C1'));
  });

  it('lets a method take its minute’s 50 calls as they come (30 reads after a restart go at once)', () => {
    const { limit } = slackDestinationConfig(methodDestination('conversations.replies'));
    assert.ok(limit);
    assert.deepEqual(shapeRateLimit(limit, 'limit'), { capacity: 50, windowMs: 60_000 });
  });

  it('paces posts per channel at about one a second', () => {
    const { limit } = slackDestinationConfig(postDestination('C1'));
    assert.deepEqual(limit, { count: 1, perMs: 1_000, burst: 3 });
  });
});
