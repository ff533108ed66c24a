import { RESTEvents, type REST } from 'discord.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { channelDestination } from './destinations.js';

const messagePost = /^\/channels\/(\d+)\/messages$/;

/**
 * Discord states each bucket's budget on every answer (`X-RateLimit-Limit`, `-Remaining`, `-Reset-After`):
 * the answers to message posts pace that channel's (or thread's) queue exactly, instead of our estimate of
 * 5 per 5 s. discord.js is set not to wait on its own (the send queue is the one layer that waits).
 */
export function followRateLimitHeaders(rest: REST, queues: SendQueues): void {
  rest.on(RESTEvents.Response, (request, response) => {
    const channel = request.method.toUpperCase() === 'POST' ? messagePost.exec(request.path)?.[1] : undefined;
    if (!channel) return;
    const limit = Number(response.headers.get('x-ratelimit-limit'));
    const remaining = Number(response.headers.get('x-ratelimit-remaining'));
    const resetAfter = Number(response.headers.get('x-ratelimit-reset-after'));
    if (!response.headers.has('x-ratelimit-remaining') || ![limit, remaining, resetAfter].every(Number.isFinite))
      return;
    queues.observe(channelDestination(channel), { limit, remaining, resetAfterMs: Math.ceil(resetAfter * 1000) });
  });
}
