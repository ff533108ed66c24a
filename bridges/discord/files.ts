import type { AttachmentBody, OpenAttachment } from '../../src/core/bridge.js';
import { downloadCapped, tooLarge } from '../../src/core/attachment-download.js';
import { UnsupportedError } from '../../src/core/errors.js';

/** Discord's CDN hosts; attachment URLs need no authorization. */
const cdnHosts = new Set(['cdn.discordapp.com', 'media.discordapp.net']);

/**
 * Opens a Discord attachment (its CDN `url`) for another platform: only https URLs on Discord's CDN hosts, or
 * the configured API's own origin (a simulator serves its files there), are fetched, so a crafted `ref` cannot
 * make the bridge fetch arbitrary addresses. The body is streamed and fails with `too_large` past the cap.
 */
export function discordFileOpener(options: { apiUrl: string; timeoutMs?: number }): OpenAttachment {
  const apiOrigin = new URL(options.apiUrl).origin;
  return async (attachment, maxBytes): Promise<AttachmentBody> => {
    let url: URL;
    try {
      url = new URL(attachment.ref);
    } catch {
      throw new UnsupportedError(`Not a Discord attachment URL: ${attachment.name}`);
    }
    const allowed = (url.protocol === 'https:' && cdnHosts.has(url.hostname)) || url.origin === apiOrigin;
    if (!allowed) throw new UnsupportedError(`Refusing to download a Discord attachment from ${url.origin}`);
    if (attachment.size !== undefined && attachment.size > maxBytes) {
      throw tooLarge(attachment.name, attachment.size, maxBytes);
    }
    return downloadCapped('discord', url, {
      name: attachment.name,
      maxBytes,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  };
}
