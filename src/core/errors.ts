import type { BridgeId } from './model.js';

/** Every error code Threadline raises on purpose. Callers branch on `code`, never on `message`. */
export type ErrorCode =
  | 'config_invalid'
  | 'config_unreadable'
  | 'signature_invalid'
  | 'signature_stale'
  | 'rate_limited'
  | 'platform_error'
  | 'outcome_unknown'
  | 'network_error'
  | 'timeout'
  | 'too_large'
  | 'credentials_invalid'
  | 'unsupported'
  | 'not_found'
  | 'store_corrupt'
  | 'store_io'
  | 'store_closed'
  /** Another process has the embedded store open (its lock file names it). */
  | 'store_locked'
  /** The database's schema is newer than this Threadline knows (or the database cannot be reached). */
  | 'store_schema'
  /** Another replica became the sender: this one may no longer write what only the sender writes. */
  | 'store_fenced'
  /** An import into a store that already holds data (it would mix two histories). */
  | 'store_not_empty';

export interface BridgeErrorOptions {
  /** True when trying the same thing again later may succeed. */
  retryable?: boolean;
  /** True when the team should see this failure in the thread. */
  notifyUser?: boolean;
  cause?: unknown;
}

/** The base of every error Threadline throws on purpose. */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly notifyUser: boolean;

  constructor(code: ErrorCode, message: string, options: BridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.notifyUser = options.notifyUser ?? false;
  }
}

/**
 * A call whose outcome is unknown and cannot be settled yet (a send in doubt that the platform does not list yet):
 * not a failure of the platform, so the effect is simply looked at again after `checkAfterMs`.
 */
export class CheckLaterError extends BridgeError {
  readonly checkAfterMs: number;

  constructor(message: string, checkAfterMs: number) {
    super('outcome_unknown', message, { retryable: true });
    this.checkAfterMs = checkAfterMs;
  }
}

/** One problem in the configuration, located by its key path. */
export interface ConfigIssue {
  /** Dotted key path with array indices, e.g. `routes[0].slack.channel`. */
  readonly path: string;
  readonly message: string;
}

/** The configuration cannot be used; carries every problem found, not just the first. */
export class ConfigError extends BridgeError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], code: 'config_invalid' | 'config_unreadable' = 'config_invalid') {
    super(code, issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('\n'));
    this.issues = issues;
  }
}

/** A webhook or event whose signature or timestamp cannot be trusted. */
export class SignatureError extends BridgeError {
  constructor(code: 'signature_invalid' | 'signature_stale', message: string) {
    super(code, message);
  }
}

/**
 * The platform asked us to wait. `retryAfterMs` is exactly what it said, or undefined when it gave no
 * Retry-After (the queue then backs off on its own schedule). `global` when it said the limit reached is the one
 * every call of the app counts against (Discord's global limit), not the destination's own.
 */
export class RateLimitedError extends BridgeError {
  readonly retryAfterMs: number | undefined;
  readonly bridge: BridgeId;
  readonly global: boolean;

  constructor(
    bridge: BridgeId,
    retryAfterMs: number | undefined,
    message: string,
    options: BridgeErrorOptions & { readonly global?: boolean } = {},
  ) {
    const { global = false, ...rest } = options;
    super('rate_limited', message, { retryable: true, ...rest });
    this.bridge = bridge;
    this.retryAfterMs = retryAfterMs;
    this.global = global;
  }
}

/** A platform answered with an error (or not at all). */
export class PlatformError extends BridgeError {
  readonly bridge: BridgeId;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;

  constructor(
    bridge: BridgeId,
    status: number | undefined,
    code: ErrorCode,
    message: string,
    options: BridgeErrorOptions = {},
  ) {
    super(code, message, options);
    this.bridge = bridge;
    this.status = status;
  }
}

/** The platform cannot do this at all (e.g. edit a sent SMS). */
export class UnsupportedError extends BridgeError {
  constructor(message: string) {
    super('unsupported', message, { notifyUser: true });
  }
}
