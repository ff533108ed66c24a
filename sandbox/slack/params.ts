import type { IncomingMessage } from 'node:http';

export type Params = Record<string, unknown>;

/** Form fields that carry JSON text (the SDK serialises objects and arrays into them). */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'files', 'user_auth_blocks']);

/**
 * The call's parameters: query string, then the body (form, JSON or multipart), like Slack. Values stay as
 * sent (form values are strings), except JSON-in-form fields, which are parsed when they are valid JSON.
 */
export async function parseParams(req: IncomingMessage, url: URL, raw: Buffer): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return parseJsonFields(params);
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(params, parsed);
    return params;
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    for (const [key, value] of form) {
      params[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return parseJsonFields(params);
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
  return parseJsonFields(params);
}

function parseJsonFields(params: Params): Params {
  for (const key of JSON_FIELDS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value) as unknown;
    } catch {
      // Left as text: the method answers with its own error (invalid_blocks, invalid_metadata_format, …).
    }
  }
  return params;
}

/** A string field; numbers and booleans (JSON bodies) are converted. Empty strings count as absent. */
export function readString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function readBoolean(params: Params, key: string): boolean | undefined {
  const value = params[key];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value === 'true' || value === '1';
  return undefined;
}

export function readInteger(params: Params, key: string): number | undefined {
  const value = params[key];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(number) ? number : undefined;
}
