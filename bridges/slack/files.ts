import { Readable, Transform } from 'node:stream';
import type { AttachmentBody, OpenAttachment } from '../../src/core/bridge.js';
import { BridgeError, PlatformError, UnsupportedError } from '../../src/core/errors.js';

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
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${options.botToken}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new PlatformError(
        'slack',
        response.status,
        'platform_error',
        `Slack file download failed with ${response.status}`,
        {
          retryable: response.status >= 500,
        },
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
