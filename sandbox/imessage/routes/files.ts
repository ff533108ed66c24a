import type { SimCore } from '../core.js';
import { notFound, SimApiError } from '../errors.js';
import { requireString } from '../params.js';
import { wireFile } from '../wire.js';
import type { ApiRequest, ApiResult, Route } from './route.js';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function uploadFile(core: SimCore, { raw, headers }: ApiRequest): ApiResult {
  if (raw.length === 0) throw new SimApiError(400, 'invalid_request_error', 'empty_file', 'The file is empty.');
  const mimeType = firstHeader(headers['content-type'])?.split(';')[0]?.trim() || 'application/octet-stream';
  const filename = firstHeader(headers['x-filename']) ?? null;
  const file = core.createFile({ data: raw, mimeType, filename });
  return { status: 201, body: wireFile(file) };
}

/** 302 to a fresh storage-style URL; the bytes are served there without auth. */
function getFile(core: SimCore, { query }: ApiRequest): ApiResult {
  const id = requireString(query, 'id');
  const file = core.state.fileById(id);
  // Undocumented code; `file_not_found` mirrors the other *_not_found codes.
  if (!file) throw notFound('file_not_found', `No file ${id}`, 'id');
  const location = core.mintBlobUrl(file.id);
  return { status: 302, body: { url: location }, headers: { Location: location } };
}

export const fileRoutes: Record<string, Route> = {
  'POST /files': { handle: uploadFile, rawBody: true },
  'GET /files': { handle: getFile },
};
