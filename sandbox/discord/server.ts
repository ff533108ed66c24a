import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBody, readQuery, sendEmpty, sendJson } from '../shared/http-io.js';
import { bucketsFor } from './buckets.js';
import type { SimCore } from './core.js';
import { DiscordApiError, methodNotAllowed, notFound, unauthorized } from './errors.js';
import { parseBody, type ParsedBody } from './http-io.js';
import { outageAnswer } from './outage-answer.js';
import { matchRoute } from './routes/route.js';
import { routeTable } from './routes/table.js';
import type { RecordedCall } from './types.js';

export const API_PREFIX = '/api/v10';
const ATTACHMENT_PATH = /^\/(?:media\/)?attachments\/(\d+)\/(\d+)\/[^/]+$/;

/** node:http for REST (under /api/v10), attachment downloads (no auth, like the CDN) and the gateway upgrade. */
export function createSimulatorServer(core: SimCore): Server {
  const server = createServer((req, res) => {
    handleRequest(core, req, res).catch((error: unknown) => {
      console.error('Discord simulator: unhandled error', error);
      if (!res.headersSent) sendJson(res, 500, { message: '500: Internal Server Error', code: 0 });
    });
  });
  server.on('upgrade', (req, socket, head) => core.gateway.handleUpgrade(req, socket, head));
  return server;
}

async function handleRequest(core: SimCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const attachment = ATTACHMENT_PATH.exec(url.pathname);
  if (attachment && (method === 'GET' || method === 'HEAD')) {
    serveAttachment(core, res, attachment[2] ?? '', method === 'HEAD');
    return;
  }
  const raw = await readBody(req);
  const inApi = url.pathname.startsWith(`${API_PREFIX}/`);
  const record: RecordedCall = {
    method,
    route: inApi ? url.pathname.slice(API_PREFIX.length) : url.pathname,
    template: '',
    path: url.pathname,
    query: readQuery(url),
    body: undefined,
    auth: req.headers.authorization,
    status: 0,
    response: undefined,
    responseHeaders: {},
    at: Date.now(),
  };
  // Parse up front so even refused calls show their body; a parse error counts only after auth and limits.
  let parsed: ParsedBody | DiscordApiError;
  try {
    parsed = await parseBody(raw, req.headers['content-type'] ?? '', core.config.uploadLimitBytes);
    record.body = parsed.recorded;
  } catch (error) {
    if (!(error instanceof DiscordApiError)) throw error;
    parsed = error;
  }
  const match = inApi ? matchRoute(routeTable, method, record.route) : ({ kind: 'none' } as const);
  if (match.kind === 'found') record.template = match.route.template;
  const refusal = inApi ? outageAnswer(core, record, match.kind === 'found' ? match.params : {}) : undefined;
  if (refusal?.hold) {
    core.calls.push(record);
    core.outage.record(record);
    core.outage.hold(res);
    return;
  }
  if (refusal) {
    answer(core, res, record, refusal.error.status, refusal.error.toBody(), refusal.error.headers);
    core.outage.record(record);
    if (refusal.violation) core.violations.push(record);
    return;
  }
  let headers: Record<string, string> = {};
  try {
    if (match.kind === 'none') throw notFound();
    if (match.kind === 'wrong-method') throw methodNotAllowed();
    const { route, params } = match;
    if (route.auth && record.auth !== `Bot ${core.config.token}`) throw unauthorized();
    const decision = core.limiter.take(
      bucketsFor(core, method, route.template, params, record.query),
      route.auth ? core.config.token : undefined,
      core.config.globalPerSecond,
      Date.now(),
    );
    if (!decision.ok) {
      answer(core, res, record, decision.error.status, decision.error.toBody(), decision.error.headers);
      if (decision.violation) core.violations.push(record);
      return;
    }
    headers = decision.headers;
    if (parsed instanceof DiscordApiError) throw parsed;
    const result = await route.handle({
      core,
      method,
      params,
      query: record.query,
      body: parsed.json,
      files: parsed.files,
    });
    answer(core, res, record, result.status, result.body, headers);
  } catch (error) {
    if (!(error instanceof DiscordApiError)) throw error;
    answer(core, res, record, error.status, error.toBody(), { ...headers, ...error.headers });
  }
}

function answer(
  core: SimCore,
  res: ServerResponse,
  record: RecordedCall,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  record.status = status;
  record.response = body;
  record.responseHeaders = headers;
  record.at = Date.now();
  core.calls.push(record);
  if (body === undefined) sendEmpty(res, headers);
  else sendJson(res, status, body, headers);
}

function serveAttachment(core: SimCore, res: ServerResponse, id: string, headOnly: boolean): void {
  const attachment = core.state.attachments.get(id);
  if (!attachment) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': attachment.content_type,
    'Content-Length': String(attachment.size),
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
  });
  res.end(headOnly ? undefined : attachment.data);
}
