import { createMessagesDevClient } from '../../../bridges/imessage/client.js';
import type { Config } from '../config-schema.js';
import type { WebhooksAction } from './args.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import type { CliOutput } from './output.js';
import { describeApiFailure, resolveRouteLines } from './route-lines.js';
import { configuredWebhookSecret } from './webhooks-config.js';
import { listWebhooks } from './webhooks-list.js';
import { registerWebhooks } from './webhooks-register.js';
import { webhookTargetUrl } from './webhook-url.js';

/** messages.dev calls of these commands give up after this long. */
const timeoutMs = 10_000;

export interface WebhooksCommandInput {
  /** Loaded with loadConfigForWebhooks: imessage.webhookSecret may be unset. */
  readonly config: Config;
  readonly action: WebhooksAction;
  /** `--url`; server.publicUrl when absent. */
  readonly url: string | undefined;
  readonly out: CliOutput;
}

/** `threadline webhooks register|list`. */
export async function runWebhooksCommand(input: WebhooksCommandInput): Promise<ExitCode> {
  const { config, out } = input;
  let url: string | undefined;
  if (input.action === 'register') {
    const given = input.url ?? config.server.publicUrl;
    if (given === undefined) {
      out.complain(
        'threadline webhooks register: where should messages.dev deliver? Pass --url https://<public host of this server> or set server.publicUrl in the config.',
      );
      return exitCodes.badConfig;
    }
    const target = webhookTargetUrl(given);
    if (!target.ok) {
      out.complain(
        `threadline webhooks register: ${input.url === undefined ? 'server.publicUrl: ' : '--url: '}${target.problem}`,
      );
      return exitCodes.badConfig;
    }
    url = target.url;
  }
  if (config.routes.length === 0) {
    out.complain('threadline webhooks: the config has no routes; add one (routes: - line: "+1…") first');
    return exitCodes.badConfig;
  }
  const { apiUrl, apiKey } = config.imessage;
  const client = createMessagesDevClient({ apiUrl, apiKey, timeoutMs });
  try {
    const { lines, problems } = await resolveRouteLines(client, config.routes);
    if (problems.length > 0) {
      for (const problem of problems) out.complain(`threadline webhooks: ${problem}`);
      out.complain('Nothing was changed.');
      return exitCodes.badConfig;
    }
    if (url === undefined) return await listWebhooks({ client, lines, out });
    return await registerWebhooks({ client, lines, url, configuredSecret: configuredWebhookSecret(config), out });
  } catch (error) {
    const failure = describeApiFailure(error, apiUrl, timeoutMs);
    out.complain(`threadline webhooks ${input.action}: ${failure.text}`);
    return failure.code;
  }
}
