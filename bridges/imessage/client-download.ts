import { PassThrough, Readable } from 'node:stream';
import { BridgeError, PlatformError, UnsupportedError } from '../../src/core/errors.js';
import type { ApiTransport } from './client-http.js';
import type { DownloadedFile } from './client-types.js';

export interface DownloadRequest {
  /** Where to start: the storage URL an id redirected to, or an attachment URL. */
  target: URL;
  maxBytes: number;
}

/** Parses and checks a URL to be fetched: only http(s). */
export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsupportedError('Refusing to download from an invalid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsupportedError(`Refusing to download a ${url.protocol} URL`);
  }
  return url;
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** Fetches a file URL (following at most one redirect, never with the key) and streams it under a byte cap. */
export async function downloadFromUrl(transport: ApiTransport, request: DownloadRequest): Promise<DownloadedFile> {
  const signal = AbortSignal.timeout(transport.timeoutMs);
  let target = request.target;
  let response = await transport.fetchFile(target, signal);
  if (isRedirect(response.status)) {
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location) throw new PlatformError('imessage', response.status, 'platform_error', 'Redirect without Location');
    target = parseHttpUrl(new URL(location, target).href);
    response = await transport.fetchFile(target, signal);
    if (isRedirect(response.status)) {
      await response.body?.cancel();
      throw new PlatformError('imessage', response.status, 'platform_error', 'Too many redirects downloading a file');
    }
  }
  if (!response.ok) throw await downloadError(transport, response, target);
  const lengthHeader = response.headers.get('content-length');
  const size = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (size !== undefined && size > request.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(request.maxBytes, size);
  }
  const filename = parseContentDispositionFilename(response.headers.get('content-disposition'));
  const mimeType = response.headers.get('content-type')?.split(';')[0]?.trim();
  return {
    stream: limitStream(transport, response.body, request.maxBytes),
    mimeType: mimeType || 'application/octet-stream',
    ...(size === undefined ? {} : { size }),
    ...(filename === undefined ? {} : { filename }),
  };
}

async function downloadError(transport: ApiTransport, response: Response, target: URL): Promise<BridgeError> {
  const apiPath = transport.apiPathOf(target);
  if (apiPath !== undefined) return transport.errorFromResponse(response, 'GET', apiPath);
  await response.body?.cancel();
  const { status } = response;
  return new PlatformError(
    'imessage',
    status,
    status === 404 ? 'not_found' : 'platform_error',
    `File download failed with ${status}`,
    { retryable: status >= 500 || status === 429 },
  );
}

function tooLarge(maxBytes: number, size?: number): BridgeError {
  const seen = size === undefined ? 'more' : `${size} bytes`;
  return new BridgeError('too_large', `File is larger than the ${maxBytes}-byte limit (${seen})`, {
    notifyUser: true,
  });
}

/** A Node stream of the body that fails with 'too_large' as soon as more than `maxBytes` arrived. */
function limitStream(transport: ApiTransport, body: ReadableStream<Uint8Array> | null, maxBytes: number): Readable {
  const out = new PassThrough();
  if (body === null) {
    out.end();
    return out;
  }
  const source = Readable.fromWeb(body);
  let seen = 0;
  source.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) {
      source.destroy();
      out.destroy(tooLarge(maxBytes));
    } else if (!out.write(chunk)) {
      source.pause();
    }
  });
  out.on('drain', () => source.resume());
  source.on('end', () => out.end());
  source.on('error', (error) => {
    if (!out.destroyed) out.destroy(transport.transportFailure(error, 'GET', 'file download'));
  });
  out.on('close', () => source.destroy());
  return out;
}

/** The filename of a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function parseContentDispositionFilename(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*utf-8''([^;]+)/i.exec(header)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
  return plain?.[1] ?? plain?.[2]?.trim();
}
