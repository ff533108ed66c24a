import type { Webhook, WebhookEventName } from '../../../bridges/imessage/client-types.js';
import type { MessagesDevClient } from '../../../bridges/imessage/client.js';
import { webhookEvents } from '../../../bridges/imessage/webhook.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import type { CliOutput } from './output.js';
import type { RouteLine } from './route-lines.js';

export interface RegisterInput {
  readonly client: MessagesDevClient;
  readonly lines: readonly RouteLine[];
  /** The full delivery URL (…/webhooks/imessage). */
  readonly url: string;
  /** imessage.webhookSecret when it is set. */
  readonly configuredSecret: string | undefined;
  readonly out: CliOutput;
}

/** What happened to one line. */
type Outcome =
  | { kind: 'existing'; webhook: Webhook }
  | { kind: 'created'; webhook: Webhook; secret: string }
  | { kind: 'conflict'; webhookId: string; deleted: boolean }
  | { kind: 'no-secret'; webhook: Webhook };

/**
 * Creates the missing webhooks, one line at a time, and keeps the one-daemon-one-secret rule: messages.dev
 * gives every webhook its own secret (§2.13) while Threadline verifies every delivery with the single
 * imessage.webhookSecret. The first secret of the run (or, when some lines were registered before, the
 * configured secret, which is then required) is the reference; a later webhook that comes back with another
 * secret is deleted again at once, because its deliveries would all be refused with 401, and the command
 * exits 2.
 * Errors of the API calls propagate (the caller maps them to exit codes).
 */
export async function registerWebhooks(input: RegisterInput): Promise<ExitCode> {
  const { client, url, out } = input;
  const existing = new Map<string, Webhook>();
  for (const { line } of input.lines) {
    const webhooks = await client.listWebhooks({ from: line.handle });
    const match = webhooks.find((webhook) => webhook.url === url && webhook.isActive);
    if (match) existing.set(line.handle, match);
  }
  const missing = input.lines.filter(({ line }) => !existing.has(line.handle));
  if (existing.size > 0 && missing.length > 0 && input.configuredSecret === undefined) {
    // Without the secret of the existing webhooks, a new one could not be checked against it.
    out.complain(
      `threadline webhooks register: ${[...existing.keys()].join(', ')} already ${existing.size === 1 ? 'has a webhook' : 'have webhooks'} at ${url}, whose secret messages.dev does not show again. Set MESSAGES_WEBHOOK_SECRET to that secret and run this again, so the webhooks of ${missing.map(({ line }) => line.handle).join(', ')} can be checked against it. Nothing was changed.`,
    );
    return exitCodes.badConfig;
  }
  let reference = existing.size > 0 ? input.configuredSecret : undefined;
  const outcomes = new Map<string, Outcome>();
  for (const { line } of input.lines) {
    const found = existing.get(line.handle);
    if (found) {
      outcomes.set(line.handle, { kind: 'existing', webhook: found });
      continue;
    }
    const events: WebhookEventName[] = [...webhookEvents];
    const webhook = await client.createWebhook({ from: line.handle, url, events });
    if (webhook.secret === null) {
      outcomes.set(line.handle, { kind: 'no-secret', webhook });
    } else if (reference === undefined || webhook.secret === reference) {
      reference = webhook.secret;
      outcomes.set(line.handle, { kind: 'created', webhook, secret: webhook.secret });
    } else {
      const deleted = await client.deleteWebhook(webhook.id).then(
        () => true,
        () => false,
      );
      outcomes.set(line.handle, { kind: 'conflict', webhookId: webhook.id, deleted });
    }
  }
  return report({ ...input, outcomes });
}

function report(input: RegisterInput & { outcomes: Map<string, Outcome> }): ExitCode {
  const { out, url } = input;
  const outcomes = [...input.outcomes.values()];
  const lines = [`messages.dev webhooks → ${url}`, `events: ${webhookEvents.join(', ')}`, ''];
  for (const [handle, outcome] of input.outcomes) lines.push(`  ${handle}  ${describe(outcome)}`);
  lines.push('', ...secretLines(outcomes, url, input.configuredSecret));
  out.say(lines.join('\n'));
  for (const warning of warningsFor(input.outcomes, input.configuredSecret)) {
    out.complain(`threadline: warning: ${warning}`);
  }
  if (outcomes.some((outcome) => outcome.kind === 'conflict')) return exitCodes.badConfig;
  if (outcomes.some((outcome) => outcome.kind === 'no-secret')) return exitCodes.failure;
  return exitCodes.ok;
}

/** The one place the new secret is printed, with where it goes; nothing when there is nothing new to set. */
function secretLines(outcomes: readonly Outcome[], url: string, configuredSecret: string | undefined): string[] {
  const secret = outcomes.flatMap((outcome) => (outcome.kind === 'created' ? [outcome.secret] : []))[0];
  if (secret === undefined) {
    if (outcomes.some((outcome) => outcome.kind === 'conflict' || outcome.kind === 'no-secret')) {
      return ['No new webhook was kept.'];
    }
    const done = `Nothing new: every route line already has an active webhook at ${url} (already registered).`;
    if (configuredSecret !== undefined) return [done];
    return [
      done,
      'MESSAGES_WEBHOOK_SECRET must hold the secret printed when they were registered; if it is lost, delete',
      'the webhooks in the messages.dev dashboard and run this command again.',
    ];
  }
  if (secret === configuredSecret) {
    return ['The new webhooks use the secret already configured in imessage.webhookSecret: nothing to change.'];
  }
  return [
    'Webhook signing secret (shown only this once: messages.dev never returns it again):',
    '',
    `    ${secret}`,
    '',
    'Put it in the environment variable MESSAGES_WEBHOOK_SECRET (the config reads it as',
    'imessage.webhookSecret: ${MESSAGES_WEBHOOK_SECRET}), then (re)start Threadline.',
  ];
}

function warningsFor(outcomes: ReadonlyMap<string, Outcome>, configuredSecret: string | undefined): string[] {
  const warnings: string[] = [];
  for (const [handle, outcome] of outcomes) {
    if (outcome.kind !== 'existing') continue;
    const missing = webhookEvents.filter((event) => !outcome.webhook.events.includes(event));
    if (missing.length > 0) {
      warnings.push(
        `${handle}: webhook ${outcome.webhook.id} is not subscribed to ${missing.join(', ')}; delete it in the messages.dev dashboard and run this command again`,
      );
    }
  }
  const all = [...outcomes.values()];
  if (all.some((outcome) => outcome.kind === 'conflict')) {
    const reference = configuredSecret === undefined ? 'the first one' : 'the configured imessage.webhookSecret';
    warnings.push(
      `messages.dev gave the webhooks of these lines a different secret than ${reference}, and one Threadline verifies every delivery with one imessage.webhookSecret, so the extra webhooks were deleted again (their deliveries would all be refused). Run one Threadline per line: a config (and a MESSAGES_WEBHOOK_SECRET) per line, each registered with this command.`,
    );
  }
  if (all.some((outcome) => outcome.kind === 'no-secret')) {
    warnings.push(
      'messages.dev returned no signing secret for a new webhook: delete it in the dashboard and run this command again',
    );
  }
  return warnings;
}

function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'existing':
      return `already registered (${outcome.webhook.id})`;
    case 'created':
      return `created (${outcome.webhook.id})`;
    case 'no-secret':
      return `created (${outcome.webhook.id}) but without a secret`;
    case 'conflict':
      return outcome.deleted
        ? `not registered: its webhook got a different secret, so ${outcome.webhookId} was deleted again`
        : `NOT CLEANED UP: ${outcome.webhookId} got a different secret and could not be deleted; delete it in the dashboard`;
  }
}
