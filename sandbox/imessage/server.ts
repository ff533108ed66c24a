import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SimCore } from './core.js';
import { defaultErrorCode, defaultErrorType, SimApiError } from './errors.js';
import { readBody, readQuery, sendJson } from '../shared/http-io.js';
import { newRequestId } from './ids.js';
import type { FaultList } from './faults.js';
import { outageAnswer, type OutageAnswer } from './outage-answer.js';
import type { Params } from './params.js';
import { routeTable } from './routes/table.js';
import type { ApiRequest, ApiResult } from './routes/route.js';
import type { FaultSpec, RecordedRequest } from './types.js';

/** The node:http server: blobs without auth, everything under the base path through the API pipeline. */
export function createSimulatorServer(core: SimCore, faults: FaultList): Server {
  return createServer((req, res) => {
    handleRequest(core, faults, req, res).catch((error: unknown) => {
      console.error('messages.dev simulator: unhandled error', error);
      if (!res.headersSent)
        sendJson(res, 500, { error: { type: 'api_error', code: 'server_error', message: 'Internal error' } });
    });
  });
}

async function handleRequest(
  core: SimCore,
  faults: FaultList,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);
  if (url.pathname.startsWith('/blobs/')) {
    serveBlob(core, req, res, url);
    return;
  }
  const requestId = newRequestId();
  const { basePath } = core.config;
  const inBase = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
  const path = inBase ? url.pathname.slice(basePath.length) || '/' : url.pathname;
  const record: RecordedRequest = {
    method,
    path,
    query: readQuery(url),
    headers: req.headers,
    body: raw.length === 0 ? undefined : raw,
    status: 0,
    requestId,
    at: core.now(),
  };
  const refusal = inBase ? outageAnswer(core, req, record) : undefined;
  if (refusal) {
    answerRefusal(core, res, record, refusal);
    return;
  }
  const fault = inBase ? faults.take(method, path) : undefined;
  if (fault?.hang) {
    core.requests.push(record);
    return;
  }
  if (fault?.delayMs !== undefined) await delayUnlessClosed(core, fault.delayMs);
  if (core.closing.aborted) return;

  let result: ApiResult;
  if (fault && fault.status !== undefined) {
    result = faultResult({ ...fault, status: fault.status });
  } else if (fault && fault.delayMs === undefined && !fault.reset) {
    result = faultResult({ ...fault, status: 500 });
  } else {
    result = runApi(core, { method, path, inBase, raw, req, url, record });
  }
  record.status = fault?.reset ? 0 : result.status;
  record.at = core.now();
  core.requests.push(record);
  if (fault?.reset) {
    req.socket.destroy();
    return;
  }
  sendJson(res, result.status, { ...result.body, request_id: requestId }, result.headers);
}

/** Answers (or holds) a request an outage refused, and records it with its status. */
function answerRefusal(core: SimCore, res: ServerResponse, record: RecordedRequest, refusal: OutageAnswer): void {
  const result = refusal.hold ? undefined : errorResult(refusal.error);
  record.status = result?.status ?? 0;
  core.requests.push(record);
  core.outage.record(record);
  if (refusal.hold) core.outage.hold(res);
  else if (result) sendJson(res, result.status, { ...result.body, request_id: record.requestId }, result.headers);
}

interface ApiCall {
  method: string;
  path: string;
  inBase: boolean;
  raw: Buffer;
  req: IncomingMessage;
  url: URL;
  record: RecordedRequest;
}

function runApi(core: SimCore, call: ApiCall): ApiResult {
  try {
    const route = call.inBase ? routeTable.get(`${call.method} ${call.path}`) : undefined;
    if (!route)
      throw new SimApiError(404, 'not_found_error', 'not_found', `No endpoint ${call.method} ${call.url.pathname}`);
    core.limits.takeBudget(authenticate(core, call.req), call.record);
    const body = route.rawBody ? {} : parseJsonBody(call.raw, call.record);
    const sendKey = core.limits.checkSend(`${call.method} ${call.path}`, body, call.record);
    const request: ApiRequest = {
      method: call.method,
      path: call.path,
      query: call.record.query,
      body,
      raw: call.raw,
      headers: call.req.headers,
    };
    const result = route.handle(core, request);
    if (sendKey !== undefined && result.status < 300) core.limits.countSend(sendKey);
    return result;
  } catch (error) {
    if (error instanceof SimApiError) return errorResult(error);
    throw error;
  }
}

function authenticate(core: SimCore, req: IncomingMessage): string {
  const header = req.headers.authorization;
  if (!header) throw new SimApiError(401, 'authentication_error', 'missing_api_key', 'No API key provided.');
  const match = /^Bearer (\S+)$/.exec(header);
  const key = match?.[1];
  if (key === undefined || !core.config.apiKeys.includes(key)) {
    throw new SimApiError(401, 'authentication_error', 'invalid_api_key', 'Invalid API key.');
  }
  return key;
}

function parseJsonBody(raw: Buffer, record: RecordedRequest): Params {
  if (raw.length === 0) return {};
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    record.body = text;
    throw new SimApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON.');
  }
  record.body = parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimApiError(400, 'invalid_request_error', 'invalid_json', 'The request body must be a JSON object.');
  }
  return parsed as Params;
}

function errorResult(error: SimApiError): ApiResult {
  const envelope: Record<string, unknown> = { type: error.type, code: error.code, message: error.message };
  if (error.param !== undefined) envelope['param'] = error.param;
  return { status: error.status, body: { error: envelope }, headers: error.headers };
}

function faultResult(fault: FaultSpec & { status: number }): ApiResult {
  return errorResult(
    new SimApiError(
      fault.status,
      fault.type ?? defaultErrorType(fault.status),
      fault.code ?? defaultErrorCode(fault.status),
      'Injected fault',
      undefined,
      fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter },
    ),
  );
}

function serveBlob(core: SimCore, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const file = core.fileForBlobToken(url.pathname.slice('/blobs/'.length));
  const record: RecordedRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: readQuery(url),
    headers: req.headers,
    body: undefined,
    status: file ? 200 : 404,
    requestId: '',
    at: core.now(),
  };
  core.blobRequests.push(record);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found');
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': file.mime_type,
    'Content-Disposition': contentDisposition(file.filename),
  };
  if (core.config.blobContentLength) headers['Content-Length'] = String(file.size);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : file.data);
}

function contentDisposition(filename: string | null): string {
  if (filename === null) return 'attachment';
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function delayUnlessClosed(core: SimCore, ms: number): Promise<void> {
  return new Promise((resolve) => {
    core.schedule(ms, resolve);
    core.closing.addEventListener('abort', () => resolve(), { once: true });
  });
}
