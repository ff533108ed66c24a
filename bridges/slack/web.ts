import type { WebClient } from '@slack/web-api';
import { BridgeError, PlatformError, RateLimitedError } from '../../src/core/errors.js';
import type { DestinationConfig, SendPriority, SendQueues } from '../../src/queue/send-queue-types.js';

/** Platform errors that trying again will not fix. */
const permanent = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'restricted_action',
  'thread_not_found',
  'message_not_found',
  'cant_update_message',
  'user_not_in_channel',
  'invalid_blocks',
  'invalid_metadata_format',
  'file_not_found',
]);

/** Where Web API calls queue: posts per channel (they share the channel's budget); every other method on its own. */
export function postDestination(channel: string): string {
  return `slack:${channel}`;
}

const methodPrefix = 'slack:web:';

/** The queue of one Web API method other than chat.postMessage: Slack keeps a budget per method and workspace. */
export function methodDestination(method: string): string {
  return `${methodPrefix}${method}`;
}

/**
 * Pacing: chat.postMessage about 1 per second per channel with short bursts (every thread of a channel
 * shares it); the other methods are Tier 3 or 4 (50+ per minute), each method its own budget, read as at most
 * 50 in any minute. After a restart, one in-doubt post per thread is read back: with a narrower burst the
 * reads of a third channel's threads waited half a minute while its posts could have gone.
 */
export function slackDestinationConfig(key: string): DestinationConfig {
  return key.startsWith(methodPrefix)
    ? { limit: { count: 50, perMs: 60_000 }, rateLimitScope: 'destination' }
    : { limit: { count: 1, perMs: 1_000, burst: 3 }, rateLimitScope: 'destination' };
}

/**
 * One Slack Web API call through the send queue of `destination`, with Slack's errors translated:
 * a 429 becomes a RateLimitedError with its Retry-After (the queue is the one layer that waits, so the
 * SDK is set to reject rate-limited calls at once and never retry), platform errors become BridgeErrors.
 */
export function callSlack<T>(
  queues: SendQueues,
  destination: string,
  label: string,
  run: () => Promise<T>,
  options: { priority?: SendPriority; idempotent?: boolean } = {},
): Promise<T> {
  return queues.enqueue(destination, {
    label,
    ...options,
    run: () =>
      run().catch((error: unknown) => Promise.reject(translateSlackError(error, label, options.idempotent ?? false))),
  });
}

/** Slack SDK error → BridgeError (by `code`, never by class). */
export function translateSlackError(error: unknown, label: string, idempotent = false): BridgeError {
  if (error instanceof BridgeError) return error;
  const coded = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
  };
  switch (coded.code) {
    case 'slack_webapi_rate_limited_error':
      return new RateLimitedError('slack', (coded.retryAfter ?? 1) * 1000, `Slack rate-limited ${label}`, {
        cause: error,
      });
    case 'slack_webapi_platform_error': {
      const slackCode = coded.data?.error ?? 'unknown_error';
      return new SlackPlatformError(slackCode, label, !permanent.has(slackCode), error);
    }
    case 'slack_webapi_http_error':
      return new PlatformError(
        'slack',
        coded.statusCode,
        'platform_error',
        `Slack answered HTTP ${coded.statusCode} to ${label}`,
        {
          retryable: (coded.statusCode ?? 500) >= 500,
          cause: error,
        },
      );
    case 'slack_webapi_request_error':
      // The request may or may not have reached Slack: harmless to repeat a read, not a post.
      return new PlatformError(
        'slack',
        undefined,
        idempotent ? 'network_error' : 'outcome_unknown',
        `Slack request for ${label} failed: ${coded.message ?? ''}`,
        { retryable: idempotent, cause: error },
      );
    case undefined:
    default:
      return new PlatformError(
        'slack',
        undefined,
        'platform_error',
        `Slack call ${label} failed: ${String(coded.message ?? error)}`,
        {
          cause: error,
        },
      );
  }
}

/** Slack said `{ok:false, error}`; `slackCode` is that error. */
export class SlackPlatformError extends PlatformError {
  constructor(
    readonly slackCode: string,
    label: string,
    retryable: boolean,
    cause: unknown,
  ) {
    super('slack', 200, 'platform_error', `Slack refused ${label}: ${slackCode}`, {
      retryable,
      cause,
      notifyUser: !retryable,
    });
  }
}

export type { WebClient };
