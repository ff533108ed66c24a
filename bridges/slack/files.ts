import type { AttachmentBody, OpenAttachment } from '../../src/core/bridge.js';
import { downloadCapped, tooLarge } from '../../src/core/attachment-download.js';
import { UnsupportedError } from '../../src/core/errors.js';

/**
 * Opens a Slack file (`url_private_download`) for another platform: the bot token goes only to Slack's
 * own file hosts (and the configured API origin, for simulators), never elsewhere; the body is streamed
 * and fails with `too_large` past the cap. Slack answers an unauthenticated download with a redirect to a
 * login page, so redirects are refused rather than followed.
 */
export function slackFileOpener(options: { botToken: string; apiUrl: string; timeoutMs?: number }): OpenAttachment {
  const allowed = new Set(['https://files.slack.com', new URL(options.apiUrl).origin]);
  return async (attachment, maxBytes): Promise<AttachmentBody> => {
    let url: URL;
    try {
      url = new URL(attachment.ref);
    } catch {
      throw new UnsupportedError(`Not a Slack file URL: ${attachment.name}`);
    }
    if (!allowed.has(url.origin)) throw new UnsupportedError(`Refusing to send the Slack token to ${url.origin}`);
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw tooLarge(attachment.name, attachment.size, maxBytes);
    return downloadCapped('slack', url, {
      name: attachment.name,
      maxBytes,
      headers: { authorization: `Bearer ${options.botToken}` },
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  };
}
