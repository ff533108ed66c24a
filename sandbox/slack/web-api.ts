import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackCore } from './core.js';
import { bearerToken, sendJson } from './http-io.js';
import { newSecretToken } from './ids.js';
import { methodTable } from './methods/table.js';
import { RateLimitedAnswer, SlackApiError } from './methods/method.js';
import { parseParams, readString, type Params } from './params.js';
import { deliverInOrder } from './timeline.js';
import type { RecordedCall, SlackFault } from './types.js';

export const API_PREFIX = '/api/';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  events: Array<Record<string, unknown>>;
  violation: boolean;
}

/**
 * One Web API call: `POST /api/<method>` (GET with a query works too), form, JSON or multipart. Errors are HTTP
 * 200 `{ok:false,error}` like Slack; only rate limits are 429 (with Retry-After). The events a call causes are
 * delivered after the answer (or before it, with echoTiming 'before-response').
 */
export async function handleWebApi(
  core: SlackCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): Promise<void> {
  const method = url.pathname.slice(API_PREFIX.length);
  const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  let params: Params | undefined;
  try {
    params = await parseParams(req, url, raw);
  } catch {
    params = undefined;
  }
  if (refuseDuringOutage(core, res, method, params ?? {}, bearerToken(req))) return;
  if (params === undefined) {
    const answer = plain(200, { ok: false, error: isJson ? 'invalid_json' : 'invalid_form_data' });
    record(core, method, {}, bearerToken(req), answer);
    sendJson(res, answer.status, answer.body);
    return;
  }
  // Slack reads a `token` field from forms and query strings, never from a JSON body.
  const token = bearerToken(req) ?? (isJson ? undefined : readString(params, 'token'));
  delete params['token'];
  const slow = takeSlowAnswer(core, method);
  const answer = decide(core, method, params, token);
  record(core, method, params, token, answer);
  if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
  if (answer.events.length > 0 && core.config.echoTiming === 'before-response') {
    await deliverInOrder(core, answer.events);
  }
  sendJson(res, answer.status, answer.body, answer.headers);
  if (answer.events.length > 0 && core.config.echoTiming === 'after-response') {
    const events = answer.events;
    res.once('finish', () => core.track(deliverInOrder(core, events)));
  }
}

/**
 * During an outage, answers (or holds) a call without processing it and records it; false when no outage
 * applies to `method`.
 */
function refuseDuringOutage(
  core: SlackCore,
  res: ServerResponse,
  method: string,
  params: Params,
  token: string | undefined,
): boolean {
  const outage = core.outage.refuses([method]);
  if (!outage) return false;
  let answer: Answer;
  if (outage.mode === 'hang') {
    answer = plain(0, {});
  } else if (outage.mode === '503') {
    answer = plain(503, { ok: false, error: 'service_unavailable' });
  } else {
    // Slack's limits are per method (and @slack/web-api pauses its whole queue on a 429).
    const { retryAfterSec, violation } = core.outage.rateLimit(method, core.now());
    answer = {
      ...plain(429, { ok: false, error: 'ratelimited' }),
      headers: { 'Retry-After': String(retryAfterSec) },
      violation,
    };
  }
  const call = record(core, method, params, token, answer);
  core.outage.record(call);
  if (outage.mode === 'hang') core.outage.hold(res);
  else sendJson(res, answer.status, answer.body, answer.headers);
  return true;
}

function decide(core: SlackCore, method: string, params: Params, token: string | undefined): Answer {
  const spec = methodTable.get(method);
  if (!spec) return plain(200, { ok: false, error: 'unknown_method' });
  if (token === undefined) return plain(200, { ok: false, error: 'not_authed' });
  const expected = spec.token === 'bot' ? core.config.botToken : core.config.appToken;
  if (token !== expected) return plain(200, { ok: false, error: 'invalid_auth' });
  const headers: Record<string, string> = { 'X-Slack-Req-Id': newSecretToken() };
  if (spec.token === 'bot') headers['X-OAuth-Scopes'] = core.config.scopes.join(',');
  const fault = takeFault(core, method);
  if (fault) return { ...fault, headers: { ...headers, ...fault.headers } };
  try {
    const result = spec.handle({ core, params });
    return { status: 200, body: { ok: true, ...result.body }, headers, events: result.events ?? [], violation: false };
  } catch (error) {
    if (error instanceof SlackApiError) {
      return { ...plain(200, { ok: false, error: error.error, ...error.extra }), headers };
    }
    if (error instanceof RateLimitedAnswer) {
      return {
        ...plain(429, { ok: false, error: 'ratelimited' }),
        headers: { ...headers, 'Retry-After': String(error.retryAfterSec) },
        violation: error.violation,
      };
    }
    throw error;
  }
}

/** A slow answer injected for `method` (the call itself proceeds): its delay in ms, or 0. */
function takeSlowAnswer(core: SlackCore, method: string): number {
  const index = core.faults.findIndex(
    (fault) => fault.method === method && fault.remaining > 0 && isSlowAnswerOnly(fault),
  );
  const fault = core.faults[index];
  if (!fault) return 0;
  fault.remaining -= 1;
  if (fault.remaining === 0) core.faults.splice(index, 1);
  return fault.slowAnswerMs ?? 0;
}

function isSlowAnswerOnly(fault: SlackFault): boolean {
  return (
    fault.slowAnswerMs !== undefined &&
    fault.error === undefined &&
    fault.retryAfterSec === undefined &&
    fault.status === undefined
  );
}

function takeFault(core: SlackCore, method: string): Answer | undefined {
  const index = core.faults.findIndex(
    (fault) => fault.method === method && fault.remaining > 0 && !isSlowAnswerOnly(fault),
  );
  const fault = core.faults[index];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining === 0) core.faults.splice(index, 1);
  if (fault.retryAfterSec !== undefined) {
    return {
      ...plain(429, { ok: false, error: 'ratelimited' }),
      headers: { 'Retry-After': String(fault.retryAfterSec) },
    };
  }
  if (fault.status !== undefined) return plain(fault.status, { ok: false, error: 'fatal_error' });
  return plain(200, { ok: false, error: fault.error ?? 'fatal_error' });
}

function plain(status: number, body: Record<string, unknown>): Answer {
  return { status, body, headers: {}, events: [], violation: false };
}

function record(
  core: SlackCore,
  method: string,
  params: Params,
  token: string | undefined,
  answer: Answer,
): RecordedCall {
  const call: RecordedCall = { method, params, token, status: answer.status, at: core.now(), response: answer.body };
  core.calls.push(call);
  if (answer.violation) core.violations.push(call);
  core.emit('call', call);
  return call;
}
