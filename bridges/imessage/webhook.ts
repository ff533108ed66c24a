import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from '../../src/core/errors.js';

/** messages.dev's replay window: a delivery older or newer than this is refused. */
export const signatureToleranceMs = 5 * 60 * 1000;

/** The four events messages.dev delivers today. */
export const webhookEvents = ['message.received', 'message.sent', 'reaction.added', 'reaction.removed'] as const;
export type WebhookEventName = (typeof webhookEvents)[number];

export interface VerifyInput {
  readonly rawBody: Buffer;
  /** `X-Webhook-Signature`: 64 lowercase hex characters. */
  readonly signature: string | undefined;
  /** `X-Webhook-Timestamp`: Unix milliseconds, equal to the body's `timestamp`. */
  readonly timestamp: string | undefined;
  readonly secret: string;
  readonly now: () => number;
  readonly toleranceMs?: number;
}

/** `lowercase_hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))`, the current messages.dev scheme. */
export function signWebhook(secret: string, timestamp: number | string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * Checks a delivery before its body is parsed: the signature over `${timestamp}.${rawBody}` in
 * constant time, then the age. Returns the verified timestamp; the caller must still check that the
 * body's `timestamp` equals it. The body-only signature of old docs is deliberately not accepted.
 * @throws SignatureError `signature_invalid` or `signature_stale`.
 */
export function verifyWebhookSignature(input: VerifyInput): number {
  const { signature, timestamp } = input;
  if (!signature) throw new SignatureError('signature_invalid', 'missing X-Webhook-Signature header');
  if (!timestamp || !/^\d{1,16}$/.test(timestamp)) {
    throw new SignatureError('signature_invalid', 'missing or malformed X-Webhook-Timestamp header');
  }
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.rawBody), 'hex');
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SignatureError('signature_invalid', 'signature does not match');
  }
  const sentAt = Number(timestamp);
  const tolerance = input.toleranceMs ?? signatureToleranceMs;
  if (Math.abs(input.now() - sentAt) > tolerance) {
    throw new SignatureError('signature_stale', `timestamp is more than ${tolerance / 1000} s away from now`);
  }
  return sentAt;
}
