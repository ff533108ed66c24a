import { asRecord, fetchJson, stringField, UnreachableError } from './fetch-json.js';

/** What a Discord REST GET answered: the JSON on 2xx, Discord's error code and message otherwise. */
export type DiscordAnswer =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly status: number; readonly code: number | undefined; readonly message: string };

/**
 * `GET ${apiUrl}/v10${path}` with the bot token and a deadline. Rejects (UnreachableError) only when
 * Discord did not answer at all. Never retried: Discord bans IPs that repeat failing requests.
 */
export async function getDiscord(input: {
  apiUrl: string;
  token: string;
  path: string;
  timeoutMs: number;
}): Promise<DiscordAnswer> {
  const answer = await fetchJson(`${input.apiUrl.replace(/\/+$/, '')}/v10${input.path}`, {
    method: 'GET',
    headers: { Authorization: `Bot ${input.token}`, Accept: 'application/json' },
    timeoutMs: input.timeoutMs,
  });
  if (answer.status >= 200 && answer.status < 300) return { ok: true, body: answer.body };
  const body = asRecord(answer.body);
  const code = typeof body['code'] === 'number' ? body['code'] : undefined;
  return { ok: false, status: answer.status, code, message: stringField(body, 'message') ?? `HTTP ${answer.status}` };
}

/** A Discord answer, or why there was none. */
export type DiscordResult = DiscordAnswer | UnreachableError;

/** getDiscord, with "no answer" as a value instead of a rejection. */
export function tryGetDiscord(input: Parameters<typeof getDiscord>[0]): Promise<DiscordResult> {
  return getDiscord(input).catch((error: unknown) => {
    if (error instanceof UnreachableError) return error;
    throw error;
  });
}

/** A failed result in a few words: `refused: 403 (50001) Missing Access`, `unreachable: connection refused`. */
export function describeDiscordFailure(result: DiscordResult): string {
  if (result instanceof UnreachableError) return `unreachable: ${result.message}`;
  if (result.ok) return 'ok';
  return `refused: ${result.status}${result.code === undefined ? '' : ` (${result.code})`} ${result.message}`;
}
