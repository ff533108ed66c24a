/** A Discord JSON error: `{ message, code, errors? }` with an HTTP status. */
export class DiscordApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly errors: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;
  /** More top-level body fields (a 429's `retry_after` and `global`). */
  extra: Record<string, unknown> = {};

  constructor(
    status: number,
    code: number,
    message: string,
    errors?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DiscordApiError';
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.headers = headers;
  }

  /** The JSON body Discord answers with. */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { message: this.message, ...this.extra, code: this.code };
    if (this.errors !== undefined) body['errors'] = this.errors;
    return body;
  }
}

export const unauthorized = (): DiscordApiError => new DiscordApiError(401, 0, '401: Unauthorized');
export const notFound = (): DiscordApiError => new DiscordApiError(404, 0, '404: Not Found');
export const methodNotAllowed = (): DiscordApiError => new DiscordApiError(405, 0, '405: Method Not Allowed');
export const missingAccess = (): DiscordApiError => new DiscordApiError(403, 50001, 'Missing Access');
export const missingPermissions = (): DiscordApiError => new DiscordApiError(403, 50013, 'Missing Permissions');
export const unknownChannel = (): DiscordApiError => new DiscordApiError(404, 10003, 'Unknown Channel');
export const unknownMessage = (): DiscordApiError => new DiscordApiError(404, 10008, 'Unknown Message');
export const unknownWebhook = (): DiscordApiError => new DiscordApiError(404, 10015, 'Unknown Webhook');
export const unknownEmoji = (): DiscordApiError => new DiscordApiError(400, 10014, 'Unknown Emoji');
export const emptyMessage = (): DiscordApiError => new DiscordApiError(400, 50006, 'Cannot send an empty message');
export const archivedThread = (): DiscordApiError => new DiscordApiError(400, 50083, 'Thread is archived');
export const wrongChannelType = (): DiscordApiError =>
  new DiscordApiError(400, 50024, 'Cannot execute action on this channel type');
export const nonTextChannel = (): DiscordApiError =>
  new DiscordApiError(400, 50008, 'Cannot send messages in a non-text channel');
export const entityTooLarge = (): DiscordApiError => new DiscordApiError(413, 40005, 'Request entity too large');

/** 400 / 50035 "Invalid Form Body" with Discord's nested `errors` shape for one field path. */
export function invalidFormBody(path: string[], code: string, message: string): DiscordApiError {
  let errors: Record<string, unknown> = { _errors: [{ code, message }] };
  for (const key of [...path].reverse()) errors = { [key]: errors };
  return new DiscordApiError(400, 50035, 'Invalid Form Body', errors);
}
