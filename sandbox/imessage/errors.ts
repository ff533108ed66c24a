/** An API error the simulator answers with the §5 envelope. */
export class SimApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: string,
    code: string,
    message: string,
    param?: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = headers;
  }
}

export function missingParameter(param: string): SimApiError {
  return new SimApiError(
    400,
    'invalid_request_error',
    'missing_required_parameter',
    `Missing required parameter: ${param}`,
    param,
  );
}

export function invalidParameter(param: string, message: string): SimApiError {
  return new SimApiError(400, 'invalid_request_error', 'invalid_parameter_value', message, param);
}

export function notFound(code: string, message: string, param?: string): SimApiError {
  return new SimApiError(404, 'not_found_error', code, message, param);
}

/** The error type messages.dev uses for a status (used when a fault does not name one). */
export function defaultErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'authorization_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** A plausible error code for a status (used when a fault does not name one). */
export function defaultErrorCode(status: number): string {
  if (status === 401) return 'invalid_api_key';
  if (status === 403) return 'insufficient_scope';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_parameter_value';
}
