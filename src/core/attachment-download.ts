import { Readable, Transform } from 'node:stream';
import type { AttachmentBody } from './bridge.js';
import { BridgeError, PlatformError } from './errors.js';
import type { BridgeId } from './model.js';

/** The error a file over a size limit becomes; its message is shown to the team as it is. */
export function tooLarge(name: string, size: number, limit: number): BridgeError {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new BridgeError('too_large', `${name} is ${mib(size)}, over the ${mib(limit)} limit`, { notifyUser: true });
}

/**
 * GETs an attachment URL the caller has already vetted, and streams its body under a byte cap: refused
 * up front when Content-Length says it is too large, and failing with `too_large` as soon as more
 * arrives. Redirects are not followed (a platform's login page is not a file).
 */
export async function downloadCapped(
  bridge: BridgeId,
  url: URL,
  options: { name: string; maxBytes: number; headers?: Record<string, string>; timeoutMs?: number },
): Promise<AttachmentBody> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...(options.headers ? { headers: options.headers } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new PlatformError(bridge, undefined, 'network_error', `Download of ${options.name} failed`, {
      retryable: true,
      cause: error,
    });
  }
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    throw new PlatformError(
      bridge,
      response.status,
      response.status === 404 ? 'not_found' : 'platform_error',
      `Download of ${options.name} failed with ${response.status}`,
      { retryable: response.status >= 500 },
    );
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (length > options.maxBytes) {
    await response.body.cancel();
    throw tooLarge(options.name, length, options.maxBytes);
  }
  return {
    stream: capped(Readable.fromWeb(response.body), options.maxBytes, options.name),
    ...(Number.isFinite(length) ? { size: length } : {}),
  };
}

/** Reads a whole attachment into memory (bounded by the cap its opener enforced). */
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
