import { Readable, Transform } from 'node:stream';
import type { AttachmentBody, OpenAttachment } from '../../src/core/bridge.js';
import { BridgeError, PlatformError, UnsupportedError } from '../../src/core/errors.js';

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
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    } catch (error) {
      throw new PlatformError('discord', undefined, 'network_error', `Discord attachment download failed`, {
        retryable: true,
        cause: error,
      });
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new PlatformError(
        'discord',
        response.status,
        response.status === 404 ? 'not_found' : 'platform_error',
        `Discord attachment download failed with ${response.status}`,
        { retryable: response.status >= 500 },
      );
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    if (length > maxBytes) {
      await response.body.cancel();
      throw tooLarge(attachment.name, length, maxBytes);
    }
    return {
      stream: capped(Readable.fromWeb(response.body), maxBytes, attachment.name),
      ...(Number.isFinite(length) ? { size: length } : {}),
    };
  };
}

/** Reads a whole attachment into memory (bounded by the cap the opener enforced). */
export async function readAll(body: AttachmentBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function capped(stream: Readable, maxBytes: number, name: string): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(name, seen, maxBytes) : null, chunk);
    },
  });
  stream.on('error', (error) => limiter.destroy(error));
  return stream.pipe(limiter);
}

export function tooLarge(name: string, size: number, limit: number): BridgeError {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new BridgeError('too_large', `${name} is ${mib(size)}, over the ${mib(limit)} limit`, { notifyUser: true });
}
