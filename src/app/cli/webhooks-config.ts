import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { LoadConfigInput } from '../../config/load.js';
import { loadConfig, parseConfig } from '../load-config.js';
import type { Config } from '../config-schema.js';
import { ConfigError } from '../../core/errors.js';

/** Stands in for an unset imessage.webhookSecret; a NUL keeps it from ever equalling a real secret. */
const unsetSecret = '\u0000threadline: imessage.webhookSecret is not set';

/**
 * Loads the config for `threadline webhooks`, which is how an operator gets the webhook secret in the first
 * place: so a missing or empty imessage.webhookSecret (typically MESSAGES_WEBHOOK_SECRET not exported yet) is
 * tolerated. Every other problem is reported exactly as `start` reports it. The key is replaced in the
 * YAML document rather than in the environment, so it works whatever variable (if any) the file names.
 * @throws ConfigError like loadConfig.
 */
export async function loadConfigForWebhooks(input: LoadConfigInput): Promise<Config> {
  try {
    return await loadConfig(input);
  } catch (error) {
    const onlySecret =
      error instanceof ConfigError &&
      error.code === 'config_invalid' &&
      error.issues.length > 0 &&
      error.issues.every((issue) => issue.path === 'imessage.webhookSecret');
    if (!onlySecret) throw error;
    const document = parseDocument(input.text ?? (await readFile(input.path, 'utf8')));
    document.setIn(['imessage', 'webhookSecret'], unsetSecret);
    return parseConfig(document.toString(), input.path, input.env);
  }
}

/** The configured webhook secret, or undefined when it was not set (see loadConfigForWebhooks). */
export function configuredWebhookSecret(config: Config): string | undefined {
  return config.imessage.webhookSecret === unsetSecret ? undefined : config.imessage.webhookSecret;
}
