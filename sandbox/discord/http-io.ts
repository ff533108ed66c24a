import { DiscordApiError, entityTooLarge } from './errors.js';

/** One file part of a multipart request. */
export interface UploadedFile {
  /** The form field, e.g. 'files[0]'. */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  /** The JSON body, or the parsed payload_json of a multipart body ({} when empty). */
  json: Record<string, unknown>;
  files: UploadedFile[];
  /** What the call record shows as its body. */
  recorded: unknown;
}

const invalidJson = (): DiscordApiError => new DiscordApiError(400, 50109, 'The request body contains invalid JSON.');

function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidJson();
  return parsed as Record<string, unknown>;
}

/** Parses a JSON or multipart/form-data body (payload_json + files[n]); file parts over the limit → 413. */
export async function parseBody(raw: Buffer, contentType: string, uploadLimitBytes: number): Promise<ParsedBody> {
  if (contentType.startsWith('multipart/form-data')) return parseMultipart(raw, contentType, uploadLimitBytes);
  if (raw.length === 0) return { json: {}, files: [], recorded: undefined };
  const json = parseJsonObject(raw.toString('utf8'));
  return { json, files: [], recorded: json };
}

async function parseMultipart(raw: Buffer, contentType: string, uploadLimitBytes: number): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new DiscordApiError(400, 50035, 'Invalid Form Body');
  }
  let json: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      if (field === 'payload_json') json = parseJsonObject(value);
      continue;
    }
    if (value.size > uploadLimitBytes) throw entityTooLarge();
    files.push({
      field,
      filename: value.name,
      contentType: value.type || 'application/octet-stream',
      data: Buffer.from(await value.arrayBuffer()),
    });
  }
  const recorded = {
    payload_json: json,
    files: files.map((file) => ({ name: file.filename, size: file.data.length, contentType: file.contentType })),
  };
  return { json, files, recorded };
}
