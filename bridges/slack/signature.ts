import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from '../../src/core/errors.js';

/**
 * Slack's request signing: `v0=` + hex(HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")), timestamp in
 * seconds, refused when more than 5 minutes away from now (the clock is injected for tests).
 * @throws SignatureError
 */
export function verifySlackSignature(input: {
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  secret: string;
  now: () => number;
}): void {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp) || !input.signature) {
    throw new SignatureError('signature_invalid', 'missing X-Slack-Request-Timestamp or X-Slack-Signature');
  }
  if (Math.abs(input.now() / 1000 - Number(input.timestamp)) > 300) {
    throw new SignatureError('signature_stale', 'Slack request timestamp is more than 5 minutes away from now');
  }
  const expected = Buffer.from(signSlackRequest(input.secret, input.timestamp, input.rawBody));
  const given = Buffer.from(input.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SignatureError('signature_invalid', 'Slack signature does not match');
  }
}

export function signSlackRequest(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
