import { asRecord, fetchJson, stringField } from './fetch-json.js';

/** What a Slack Web API method answered. */
export interface SlackAnswer {
  readonly ok: boolean;
  /** Slack's error code (`invalid_auth`, `channel_not_found`, …), `ratelimited`, or `http_<status>`. */
  readonly error: string | undefined;
  readonly body: Record<string, unknown>;
  /** The token's scopes from the `x-oauth-scopes` header, when Slack sent it. */
  readonly scopes: readonly string[] | undefined;
}

/**
 * Calls one Web API method with a form body and a deadline. Resolves with Slack's verdict; rejects
 * (UnreachableError) only when Slack did not answer at all.
 */
export async function callSlackMethod(input: {
  apiUrl: string;
  token: string;
  method: string;
  params?: Record<string, string>;
  timeoutMs: number;
}): Promise<SlackAnswer> {
  const base = input.apiUrl.endsWith('/') ? input.apiUrl : `${input.apiUrl}/`;
  const answer = await fetchJson(new URL(input.method, base), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${input.token}`,
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: new URLSearchParams(input.params ?? {}).toString(),
    timeoutMs: input.timeoutMs,
  });
  const body = asRecord(answer.body);
  const header = answer.headers.get('x-oauth-scopes');
  const scopes =
    header === null
      ? undefined
      : header
          .split(',')
          .map((scope) => scope.trim())
          .filter(Boolean);
  if (answer.status === 429) return { ok: false, error: 'ratelimited', body, scopes };
  if (answer.status < 200 || answer.status >= 300) {
    return { ok: false, error: `http_${answer.status}`, body, scopes };
  }
  const ok = body['ok'] === true;
  return { ok, error: ok ? undefined : (stringField(body, 'error') ?? 'unknown_error'), body, scopes };
}
