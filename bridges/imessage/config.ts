import { z } from 'zod';
import { httpUrl, integer, requiredText } from '../../src/core/config-fields.js';

/** The `imessage` block: the messages.dev account. */
export const imessageConfigSchema = z.strictObject({
  apiUrl: httpUrl('the messages.dev API base URL shown in your dashboard, e.g. https://api.messages.dev/v1')
    .default('https://api.messages.dev/v1')
    .describe('messages.dev API base URL (dashboards show per-account base URLs).'),
  apiKey: requiredText(
    'a messages.dev API key (sk_live_…); set MESSAGES_API_KEY and write apiKey: ${MESSAGES_API_KEY}',
  ).describe('messages.dev API key. Secret: reference an environment variable.'),
  webhookSecret: requiredText(
    'the signing secret returned when the webhook was created (threadline webhooks register prints it); set MESSAGES_WEBHOOK_SECRET',
  ).describe('Secret that signs messages.dev webhook deliveries. Secret: reference an environment variable.'),
  requestTimeoutMs: integer(1000, 300_000, 'milliseconds before a messages.dev request is abandoned')
    .default(30_000)
    .describe('How long one messages.dev request may take.'),
  hourlyRequestBudget: integer(1, 1_000_000, 'requests per hour your messages.dev key allows')
    .default(1000)
    .describe('Requests per hour per API key, shared by every call (messages.dev allows 1,000).'),
  sendIntervalMs: integer(0, 60_000, 'minimum milliseconds between two sends on one line')
    .default(1000)
    .describe('Pacing of sends per line (Apple watches lines that blast; 1 per second is safe).'),
});

export type ImessageConfig = z.infer<typeof imessageConfigSchema>;
