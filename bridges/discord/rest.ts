import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { BridgeError, PlatformError, RateLimitedError, type ErrorCode } from '../../src/core/errors.js';
import type { ReconcileVerdict, SendPriority, SendQueues } from '../../src/queue/send-queue-types.js';

/** Discord JSON error codes the bridge branches on. */
export const discordCodes = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownWebhook: 10015,
  unknownEmoji: 10014,
  unknownMember: 10007,
  unknownUser: 10013,
  missingAccess: 50001,
  missingPermissions: 50013,
  threadArchived: 50083,
  entityTooLarge: 40005,
} as const;

export interface CallOptions<T> {
  readonly priority?: SendPriority;
  /** A read, or a create guarded by `enforce_nonce`: a lost connection is retried instead of left unknown. */
  readonly idempotent?: boolean;
  /** For creates without a nonce (webhook executions): finds out whether a call that was cut off landed. */
  readonly reconcile?: () => Promise<ReconcileVerdict<T>>;
}

/**
 * One Discord REST call through the send queue of `destination`, with discord.js's errors translated. The
 * queue is the one layer that waits on Discord's limits: discord.js is built with `rejectOnRateLimit` and
 * `retries: 0`, so it never sleeps or resends by itself, and its RateLimitError becomes our RateLimitedError.
 */
export function callDiscord<T>(
  queues: SendQueues,
  destination: string,
  label: string,
  run: () => Promise<T>,
  options: CallOptions<T> = {},
): Promise<T> {
  const idempotent = options.idempotent ?? false;
  return queues.enqueue(destination, {
    label,
    idempotent,
    ...(options.priority ? { priority: options.priority } : {}),
    ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    run: () => run().catch((error: unknown) => Promise.reject(translateDiscordError(error, label, idempotent))),
  });
}

/**
 * How long a 429 asks to wait. The `Retry-After` header is whole seconds rounded up; for a bucket (not the global
 * limit) `X-RateLimit-Reset-After`, which discord.js turns into `timeToReset`, says to the millisecond when the
 * window resets: waiting for the rounded second would lose most of a window at 5 posts per 5 s.
 */
function exactWaitMs(error: RateLimitError): number {
  if (error.global || !(error.timeToReset > 0)) return error.retryAfter;
  return error.retryAfter > 0 ? Math.min(error.retryAfter, error.timeToReset) : error.timeToReset;
}

/** Discord answered with an error body; `discordCode` is its JSON `code`. */
export class DiscordPlatformError extends PlatformError {
  constructor(
    readonly discordCode: number,
    status: number,
    code: ErrorCode,
    message: string,
    options: { retryable: boolean; notifyUser: boolean; cause: unknown },
  ) {
    super('discord', status, code, message, options);
  }
}

// The connection was never made, so the request cannot have reached Discord.
const connectFailures = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * discord.js error → BridgeError. 4xx are permanent and never retried in a loop (Discord bans an IP after
 * 10,000 invalid requests in 10 minutes); 5xx are retryable for reads and nonce-guarded creates, and an
 * unknown outcome for other creates, as is a connection lost mid-request.
 */
export function translateDiscordError(error: unknown, label: string, idempotent = false): BridgeError {
  if (error instanceof BridgeError) return error;
  if (error instanceof RateLimitError) {
    return new RateLimitedError(
      'discord',
      Math.max(0, exactWaitMs(error)),
      `Discord rate-limited ${label}${error.global ? ' (global)' : ''}`,
      { cause: error, global: error.global },
    );
  }
  if (error instanceof DiscordAPIError) {
    const discordCode = typeof error.code === 'number' ? error.code : 0;
    const code: ErrorCode =
      error.status === 401
        ? 'credentials_invalid'
        : error.status === 413 || discordCode === discordCodes.entityTooLarge
          ? 'too_large'
          : error.status === 404
            ? 'not_found'
            : 'platform_error';
    return new DiscordPlatformError(
      discordCode,
      error.status,
      code,
      `Discord refused ${label}: ${error.message} (HTTP ${error.status}, code ${discordCode})`,
      { retryable: error.status >= 500, notifyUser: error.status === 403 || code === 'too_large', cause: error },
    );
  }
  if (error instanceof HTTPError) {
    return new PlatformError(
      'discord',
      error.status,
      idempotent ? 'platform_error' : 'outcome_unknown',
      `Discord answered HTTP ${error.status} to ${label}`,
      { retryable: idempotent, cause: error },
    );
  }
  const systemCode = systemCodeOf(error);
  if (systemCode !== undefined && connectFailures.has(systemCode)) {
    return new PlatformError('discord', undefined, 'network_error', `Could not reach Discord for ${label}`, {
      retryable: true,
      cause: error,
    });
  }
  if (systemCode !== undefined || (error instanceof Error && /Abort|Timeout/.test(error.name))) {
    return new PlatformError(
      'discord',
      undefined,
      idempotent ? 'network_error' : 'outcome_unknown',
      `Connection to Discord lost during ${label}`,
      { retryable: idempotent, cause: error },
    );
  }
  return new PlatformError('discord', undefined, 'platform_error', `Discord call ${label} failed: ${String(error)}`, {
    cause: error,
  });
}

/** The first system `code` along the cause chain (fetch wraps undici's error as `TypeError('fetch failed')`). */
function systemCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** True for a translated Discord error with this JSON code. */
export function isDiscordCode(error: unknown, code: number): boolean {
  return error instanceof DiscordPlatformError && error.discordCode === code;
}
