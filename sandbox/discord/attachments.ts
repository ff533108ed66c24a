import type { SimCore } from './core.js';
import { invalidFormBody } from './errors.js';
import type { UploadedFile } from './http-io.js';
import type { SimAttachment } from './types.js';

/** Discord allows at most 10 files per message. */
const MAX_FILES = 10;

const TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  caf: 'audio/x-caf',
  wav: 'audio/x-wav',
  ogg: 'audio/ogg',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  zip: 'application/zip',
  vcf: 'text/vcard; charset=utf-8',
};

/** Discord sets content_type itself; for an untyped part it goes by the file name. */
function contentTypeOf(file: UploadedFile, filename: string): string {
  if (file.contentType !== '' && file.contentType !== 'application/octet-stream') return file.contentType;
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/** Discord's CDN replaces whitespace and path characters in attachment names. */
export function sanitizeFilename(name: string): string {
  const cleaned = name.replace(/[\\/]/g, '').replace(/\s+/g, '_');
  return cleaned === '' ? 'unknown' : cleaned;
}

/**
 * Turns uploaded parts into attachments. `files[n]` pairs with the payload_json `attachments` entry whose `id`
 * is n (it may rename the file and add a description), as discord.js sends them.
 */
export function createAttachments(
  core: SimCore,
  channelId: string,
  files: UploadedFile[],
  meta: unknown,
): SimAttachment[] {
  if (files.length > MAX_FILES) {
    throw invalidFormBody(['files'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_FILES} or fewer in length.`);
  }
  const entries = Array.isArray(meta) ? (meta as unknown[]) : [];
  return files.map((file, index) => {
    const slot = /^files?\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
    const entry = entries.find(
      (item): item is Record<string, unknown> =>
        typeof item === 'object' && item !== null && String((item as Record<string, unknown>)['id']) === slot,
    );
    const name = typeof entry?.['filename'] === 'string' ? entry['filename'] : file.filename;
    const filename = sanitizeFilename(name);
    const id = core.ids.next();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    const attachment: SimAttachment = {
      id,
      filename,
      size: file.data.length,
      content_type: contentTypeOf(file, filename),
      url: `${core.origin}${path}`,
      proxy_url: `${core.origin}/media${path}`,
      data: file.data,
      ...(typeof entry?.['description'] === 'string' ? { description: entry['description'] } : {}),
    };
    core.state.attachments.set(id, attachment);
    return attachment;
  });
}

/** The attachments an edit keeps: those listed by id in the body's `attachments` (all when it is absent). */
export function keptAttachments(current: SimAttachment[], meta: unknown): SimAttachment[] {
  if (!Array.isArray(meta)) return current;
  const ids = new Set(
    (meta as unknown[]).map((item) =>
      typeof item === 'object' && item !== null ? String((item as Record<string, unknown>)['id']) : '',
    ),
  );
  return current.filter((attachment) => ids.has(attachment.id));
}
