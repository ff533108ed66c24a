import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { fastify, LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isLocalRequest } from './loopback.js';

/** What a raw-body route receives: the exact bytes (for signatures) and the headers. */
export interface RawRequest {
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly log: Logger;
}

export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  /** True when the handler logged the request's line itself (with its ids): the server's line is then debug. */
  readonly logged?: boolean;
}

/** A platform's ingress endpoint; must answer quickly and never throw for a bad payload. */
export type RawHandler = (request: RawRequest) => Promise<RawResponse>;

/** What a JSON route receives: the body parsed as JSON (undefined without one). */
export interface JsonRequest {
  readonly body: unknown;
  readonly requestId: string;
  readonly log: Logger;
}

/** A JSON route's answer; `body` is sent as JSON. */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

export type JsonHandler = (request: JsonRequest) => Promise<JsonResponse>;

export interface JsonRouteOptions {
  /**
   * Answer only clients on this host (loopback, checked on the socket, not on headers); anyone else gets
   * 403 `forbidden` before the body is read. For operator routes, which have no other authentication.
   */
  readonly localOnly?: boolean;
}

/** What `/readyz` reports. */
export interface ReadinessReport {
  /** Each platform's connection state; ready when every one is `connected`. */
  readonly platforms: Readonly<Record<string, string>>;
  /** Destinations failing for over a minute: reported, but the process stays ready and takes webhooks. */
  readonly degraded?: readonly unknown[];
  /** More to show (which replica sends, for example). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly log: Logger;
  readonly registry: Registry;
  /** Called per `/readyz`; ready when every platform is `connected`. */
  readonly readiness: () => ReadinessReport;
}

export interface HttpServer {
  /** Adds a route that gets the raw body. Only before `listen()`. */
  addRawRoute(method: 'POST', path: string, handler: RawHandler): void;
  /** Adds a route that takes and answers JSON (`application/json`). Only before `listen()`. */
  addJsonRoute(method: 'GET' | 'POST', path: string, handler: JsonHandler, options?: JsonRouteOptions): void;
  /** Starts listening; resolves with the bound URL (port 0 picks a free port). */
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish. */
  close(): Promise<void>;
}

/** Errors answered by the server itself share one JSON shape: `{ error: { code, message } }`. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);
/** Requests whose handler wrote the request's line (one line per event). */
const loggedByHandler = new WeakSet<object>();

/** A per-process prefix and a counter: unique, and far cheaper than random bytes per request. */
const requestIdPrefix = `req_${randomBytes(4).toString('hex')}`;
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter += 1;
  return `${requestIdPrefix}${requestCounter.toString(36).padStart(6, '0')}`;
}

/** The one HTTP port: webhook ingress, health, readiness, metrics and operator routes. Knows no platform. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const app = fastify({
    loggerInstance: options.log,
    // One line per request, written by the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    bodyLimit: options.bodyLimitBytes,
    connectionTimeout: 30_000,
    requestTimeout: 15_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : nextRequestId();
    },
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const quiet = quietPaths.has(request.routeOptions.url ?? '') || loggedByHandler.has(request.raw);
    const level = quiet ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        path: request.routeOptions.url ?? request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'HTTP request',
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'body_too_large'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : status >= 500
            ? 'internal_error'
            : 'bad_request';
    if (status >= 500) request.log.error({ err: error }, 'Request failed');
    void reply.status(status).send(errorBody(code, status >= 500 ? 'internal error' : error.message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { platforms, degraded = [], extra = {} } = options.readiness();
    const ready = Object.values(platforms).every((state) => state === 'connected');
    const status = !ready ? 'not_ready' : degraded.length > 0 ? 'degraded' : 'ok';
    return reply.status(ready ? 200 : 503).send({ ready, status, platforms, degraded, ...extra });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });

  return {
    addRawRoute(method, path, handler) {
      void app.register(async (scope) => {
        // Keep the exact bytes: signatures are computed over them, and the handler decides what to parse.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        scope.route({
          method,
          url: path,
          handler: async (request, reply) => {
            const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
            const response = await handler({
              rawBody,
              headers: request.headers,
              requestId: request.id,
              // Fastify's request logger already carries request_id.
              log: request.log as Logger,
            });
            if (response.logged) loggedByHandler.add(request.raw);
            return reply.status(response.status).send(response.body);
          },
        });
      });
    },
    addJsonRoute(method, path, handler, routeOptions = {}) {
      app.route({
        method,
        url: path,
        // onRequest runs before the body is read: a refused client costs nothing.
        ...(routeOptions.localOnly
          ? {
              onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
                const { remoteAddress, localAddress } = request.raw.socket;
                if (isLocalRequest({ remoteAddress, localAddress, headers: request.headers })) return;
                request.log.warn({ remote: remoteAddress, path }, 'Refused a request from another host');
                return reply
                  .status(403)
                  .send(errorBody('forbidden', `${path} answers only requests from this host (loopback)`));
              },
            }
          : {}),
        handler: async (request, reply) => {
          const response = await handler({
            body: request.body,
            requestId: request.id,
            log: request.log,
          });
          return reply.status(response.status).send(response.body);
        },
      });
    },
    async listen() {
      return app.listen({ host: options.host, port: options.port });
    },
    async close() {
      await app.close();
    },
  };
}
