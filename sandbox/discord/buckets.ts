import type { SimCore } from './core.js';
import type { BucketSpec } from './rate-limits.js';

// Discord's bucket hashes are opaque strings shared by all channels (the channel is the "major parameter").
const MESSAGES_HASH = 'f1c4b9d2e7a03568b0c9d8e7f6a5b4c3';
const WEBHOOK_HASH = '9a8b7c6d5e4f30211f2e3d4c5b6a7980';

/**
 * The buckets a request counts against: message creation per channel or thread, and webhook executions per
 * minute per parent channel (plus, with `thread_id`, the thread's message bucket). The first one's state is
 * what the X-RateLimit-* headers report.
 */
export function bucketsFor(
  core: SimCore,
  method: string,
  template: string,
  params: Record<string, string>,
  query: Record<string, string>,
): BucketSpec[] {
  const { messagesPerChannel, webhookPerChannelPerMinute } = core.config;
  const messageBucket = (channelId: string): BucketSpec[] =>
    messagesPerChannel === false
      ? []
      : [{ key: `messages:${channelId}`, ...toLimit(messagesPerChannel), hash: MESSAGES_HASH, scope: 'user' }];
  if (method === 'POST' && template === '/channels/:channel/messages') return messageBucket(params['channel'] ?? '');
  if (method === 'POST' && template === '/webhooks/:webhook/:token') {
    const webhook = core.state.webhooks.get(params['webhook'] ?? '');
    if (!webhook) return [];
    const perMinute: BucketSpec[] =
      webhookPerChannelPerMinute === false
        ? []
        : [
            {
              key: `webhook:${webhook.channel_id}`,
              limit: webhookPerChannelPerMinute,
              perMs: 60_000,
              hash: WEBHOOK_HASH,
              scope: 'shared',
            },
          ];
    return [...perMinute, ...messageBucket(query['thread_id'] ?? webhook.channel_id)];
  }
  return [];
}

function toLimit(limit: { count: number; perMs: number }): { limit: number; perMs: number } {
  return { limit: limit.count, perMs: limit.perMs };
}
