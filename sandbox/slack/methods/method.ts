import type { SlackCore } from '../core.js';
import type { Params } from '../params.js';
import type { SimChannel } from '../types.js';

/** A Slack `{ok:false}` answer (always HTTP 200, as Slack does). */
export class SlackApiError extends Error {
  readonly error: string;
  readonly extra: Record<string, unknown>;

  constructor(error: string, extra: Record<string, unknown> = {}) {
    super(error);
    this.error = error;
    this.extra = extra;
  }
}

/** A 429 answer with Retry-After (seconds). */
export class RateLimitedAnswer extends Error {
  readonly retryAfterSec: number;
  readonly violation: boolean;

  constructor(retryAfterSec: number, violation: boolean) {
    super('ratelimited');
    this.retryAfterSec = retryAfterSec;
    this.violation = violation;
  }
}

export interface MethodContext {
  core: SlackCore;
  params: Params;
}

export interface MethodResult {
  /** The answer without `ok` (added by the pipeline). */
  body: Record<string, unknown>;
  /** Events the call causes (the bot's echoes), delivered in order around the HTTP answer (see echoTiming). */
  events?: Array<Record<string, unknown>>;
}

export interface MethodSpec {
  /** Which token the method takes. */
  token: 'bot' | 'app';
  handle: (context: MethodContext) => MethodResult;
}

/** Fails with `missing_scope` unless the bot has `scope` (Slack names what was needed and what it has). */
export function requireScope(core: SlackCore, scope: string): void {
  if (!core.config.scopes.includes(scope)) {
    throw new SlackApiError('missing_scope', { needed: scope, provided: core.config.scopes.join(',') });
  }
}

/** A required parameter, or `fallbackError` (Slack names most missing parameters by what they are). */
export function requireParam(value: string | undefined, fallbackError: string): string {
  if (value === undefined) throw new SlackApiError(fallbackError);
  return value;
}

export interface ChannelAccess {
  /** Reading history needs membership; public channels without it answer not_in_channel. */
  needMember: boolean;
  /** The scope pair to check: `history` (channels:history / groups:history) or `read`. */
  scopeKind?: 'history' | 'read';
}

/**
 * The channel named by `id`, as the bot sees it: private channels it is not in do not exist for it
 * (`channel_not_found`); public ones answer `not_in_channel` when membership is needed.
 */
export function resolveChannel(core: SlackCore, id: string | undefined, access: ChannelAccess): SimChannel {
  if (id === undefined) throw new SlackApiError('channel_not_found');
  const channel = core.state.findChannel(id);
  if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError('channel_not_found');
  if (access.scopeKind !== undefined) {
    requireScope(core, `${channel.isPrivate ? 'groups' : 'channels'}:${access.scopeKind}`);
  }
  if (access.needMember && !channel.botIsMember) throw new SlackApiError('not_in_channel');
  return channel;
}
