import { MessagesDevApiError } from '../../../bridges/imessage/client-errors.js';
import type { Line } from '../../../bridges/imessage/client-types.js';
import { createMessagesDevClient, type MessagesDevClient } from '../../../bridges/imessage/client.js';
import type { Config } from '../config-schema.js';
import { PlatformError, RateLimitedError } from '../../core/errors.js';
import { failed, passed, type CheckRow } from './check-row.js';
import { describeUnreachable } from './fetch-json.js';
import { routesLabel, routeTargets } from './route-targets.js';
import { webhookTargetUrl } from './webhook-url.js';

const platform = 'messages.dev';

/**
 * messages.dev: the key answers `GET /v1/lines`, every route's line is one of them and active, and, when
 * `server.publicUrl` is set, every line has an active webhook pointing at it.
 */
export async function checkImessage(config: Config, timeoutMs: number): Promise<CheckRow[]> {
  const { apiUrl, apiKey } = config.imessage;
  const client = createMessagesDevClient({ apiUrl, apiKey, timeoutMs });
  const what = 'API key (GET /v1/lines)';
  let lines: Line[];
  try {
    lines = await client.listLines();
  } catch (error) {
    return [failed(platform, what, describeFailure(error, timeoutMs), fixFor(error, apiUrl))];
  }
  const rows = [passed(platform, what, `valid; the key sees ${plural(lines.length, 'line')}`)];
  const webhookUrl = config.server.publicUrl === undefined ? undefined : webhookTargetUrl(config.server.publicUrl);
  if (webhookUrl && !webhookUrl.ok) {
    rows.push(failed(platform, 'server.publicUrl', 'cannot receive webhooks', webhookUrl.problem));
  }
  for (const target of routeTargets(config.routes, 'line')) {
    const label = `line ${target.id} (${routesLabel(target)})`;
    const line = lines.find((candidate) => candidate.handle === target.id || candidate.id === target.id);
    if (!line) {
      const seen = lines.map((candidate) => candidate.handle).join(', ') || 'none';
      rows.push(
        failed(
          platform,
          label,
          'not among the lines this key can see',
          `set ${routesLabel(target)}.line to one of the key's lines (${seen}), or use a key with access to this line`,
        ),
      );
      continue;
    }
    if (!line.isActive) {
      rows.push(
        failed(platform, label, `inactive (${line.id})`, 'reactivate the line in the messages.dev dashboard (Lines)'),
      );
      continue;
    }
    rows.push(passed(platform, label, `exists and is active (${line.id}, ${line.service})`));
    if (webhookUrl?.ok) rows.push(await checkWebhook(client, line, webhookUrl.url, { apiUrl, timeoutMs }));
  }
  return rows;
}

async function checkWebhook(
  client: MessagesDevClient,
  line: Line,
  url: string,
  { apiUrl, timeoutMs }: { apiUrl: string; timeoutMs: number },
): Promise<CheckRow> {
  const what = `webhook of ${line.handle}`;
  try {
    const webhooks = await client.listWebhooks({ from: line.handle });
    const match = webhooks.find((webhook) => webhook.url === url && webhook.isActive);
    if (match) return passed(platform, what, `active at ${url} (${match.id})`);
    return failed(
      platform,
      what,
      `no active webhook delivers to ${url}`,
      'run `threadline webhooks register` (it uses server.publicUrl) and put the secret it prints in MESSAGES_WEBHOOK_SECRET',
    );
  } catch (error) {
    return failed(platform, what, describeFailure(error, timeoutMs), fixFor(error, apiUrl));
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof MessagesDevApiError) return `refused: ${error.status} ${error.apiCode}`;
  if (error instanceof RateLimitedError) return 'rate limited (429)';
  if (error instanceof PlatformError) {
    if (error.code === 'timeout' || error.code === 'network_error') {
      return `unreachable: ${describeUnreachable(error.cause, timeoutMs)}`;
    }
    return `unexpected answer${error.status === undefined ? '' : ` (${error.status})`}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function fixFor(error: unknown, apiUrl: string): string {
  if (error instanceof MessagesDevApiError) {
    if (error.status === 401) {
      return "imessage.apiKey: create a key in the messages.dev dashboard (API Keys) and set MESSAGES_API_KEY to it; also check imessage.apiUrl is your account's API base";
    }
    if (error.status === 403) {
      return `the key may not do this (${error.apiCode}): give it the lines:read, messages, reactions, files and webhooks scopes, or use a key without line restrictions`;
    }
    if (error.status === 404)
      return `imessage.apiUrl (${apiUrl}) does not look like the messages.dev API base; the dashboard shows yours`;
  }
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfterMs === undefined ? 'a while' : `${Math.ceil(error.retryAfterMs / 1000)} s`;
    return `the key's hourly request budget is used up; try again in ${wait}`;
  }
  return `check imessage.apiUrl (${apiUrl}) and that this machine can reach it`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
