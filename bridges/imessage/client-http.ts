import type { z } from 'zod';
import { PlatformError, type BridgeError } from '../../src/core/errors.js';
import { translateErrorResponse, translateTransportFailure } from './client-errors.js';

export interface TransportOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
}

/** One API call: path relative to the API base, query for reads, JSON (or raw `body`) for writes. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. 'messages' (no leading slash). */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: Record<string, unknown>;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** The body is a stream (needs `duplex: 'half'`). */
  stream?: boolean;
}

/** The HTTP layer of the client: auth, deadline, error translation. It never retries. */
export class ApiTransport {
  readonly base: URL;
  readonly timeoutMs: number;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;

  constructor(options: TransportOptions) {
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
    this.timeoutMs = options.timeoutMs;
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch;
    this.#now = options.now;
  }

  /** A call whose 2xx JSON body is parsed by `schema`. */
  async json<T>(call: ApiCall, schema: z.ZodType<T>): Promise<T> {
    const { response } = await this.exchange(call, AbortSignal.timeout(this.timeoutMs), 'follow');
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.transportFailure(error, call.method, call.path);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = schema.safeParse(parsed);
    if (result.success) return result.data;
    // A 2xx we cannot read: for a write the effect happened but we do not know what it made.
    const isRead = call.method === 'GET';
    throw new PlatformError(
      'imessage',
      response.status,
      isRead ? 'platform_error' : 'outcome_unknown',
      `messages.dev ${call.method} /${call.path} returned an unexpected body`,
      { retryable: isRead, cause: result.error },
    );
  }

  /** Sends one request with the key; throws translated errors for transport failures and error statuses. */
  async exchange(
    call: ApiCall,
    signal: AbortSignal,
    redirect: 'follow' | 'manual',
  ): Promise<{ response: Response; url: URL }> {
    const url = new URL(call.path, this.base);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#apiKey}`,
      Accept: 'application/json',
      ...call.headers,
    };
    let body = call.body ?? null;
    if (call.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.json);
    }
    const init: RequestInit = { method: call.method, headers, body, signal, redirect };
    if (call.stream) init.duplex = 'half';
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      throw this.transportFailure(error, call.method, call.path);
    }
    const expectedRedirect = redirect === 'manual' && response.status >= 300 && response.status < 400;
    if (!response.ok && !expectedRedirect) throw await this.errorFromResponse(response, call.method, call.path);
    return { response, url };
  }

  /**
   * GET of a file URL with redirects left to the caller. The key is sent only to URLs under the API base,
   * never to storage URLs (not even on the same origin).
   */
  async fetchFile(target: URL, signal: AbortSignal): Promise<Response> {
    const apiPath = this.apiPathOf(target);
    const headers: Record<string, string> = apiPath === undefined ? {} : { Authorization: `Bearer ${this.#apiKey}` };
    try {
      return await this.#fetch(target, { method: 'GET', headers, signal, redirect: 'manual' });
    } catch (error) {
      throw this.transportFailure(error, 'GET', apiPath ?? 'file download');
    }
  }

  /** The path relative to the API base when `url` is an API URL, else undefined. */
  apiPathOf(url: URL): string | undefined {
    return url.href.startsWith(this.base.href) ? url.pathname.slice(this.base.pathname.length) : undefined;
  }

  async errorFromResponse(response: Response, method: string, path: string): Promise<BridgeError> {
    let bodyText = '';
    try {
      bodyText = await response.text();
    } catch {
      // The status already tells what happened; the envelope is a bonus.
    }
    return translateErrorResponse({
      status: response.status,
      bodyText,
      retryAfter: response.headers.get('retry-after'),
      method,
      path: `/${path}`,
      nowMs: this.#now(),
    });
  }

  transportFailure(error: unknown, method: string, path: string): PlatformError {
    return translateTransportFailure(error, { method, path: `/${path}`, timeoutMs: this.timeoutMs });
  }
}
