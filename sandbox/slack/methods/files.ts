import { createFile, recordShare, UPLOAD_PREFIX } from '../files.js';
import { newFileId, newSecretToken } from '../ids.js';
import { buildBotMessage, wireFile } from '../messages.js';
import { readInteger, readString } from '../params.js';
import { addMessage } from '../timeline.js';
import type { SimChannel, SimFile } from '../types.js';
import { requireScope, resolveChannel, SlackApiError, type MethodSpec } from './method.js';

/** Step 1 of files.uploadV2: a file id and a URL to POST the bytes to. */
export const filesGetUploadUrlExternal: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'files:write');
    const filename = readString(params, 'filename');
    const length = readInteger(params, 'length');
    if (filename === undefined || length === undefined || length < 0) throw new SlackApiError('invalid_arguments');
    const fileId = newFileId();
    const uploadToken = newSecretToken();
    core.uploads.set(fileId, { fileId, filename, length, uploadToken, data: undefined });
    return { body: { upload_url: `${core.origin}${UPLOAD_PREFIX}${uploadToken}`, file_id: fileId } };
  },
};

interface CompleteItem {
  id: string;
  title: string | undefined;
}

function readCompleteItems(value: unknown): CompleteItem[] {
  if (!Array.isArray(value) || value.length === 0) throw new SlackApiError('invalid_arguments');
  return value.map((item: unknown) => {
    const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const id = record['id'];
    const title = record['title'];
    if (typeof id !== 'string') throw new SlackApiError('invalid_arguments');
    return { id, title: typeof title === 'string' ? title : undefined };
  });
}

/**
 * Step 3 of files.uploadV2: turns uploaded bytes into files and, with a channel, posts one `file_share` message
 * (with `initial_comment` as its text, in `thread_ts` when given) whose echo is delivered like any bot post.
 */
export const filesCompleteUploadExternal: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'files:write');
    const items = readCompleteItems(params['files']);
    const uploads = items.map((item) => {
      const upload = core.uploads.get(item.id);
      if (!upload?.data) throw new SlackApiError('file_not_found');
      return { item, upload, data: upload.data };
    });
    const channelId = readString(params, 'channel_id') ?? readString(params, 'channels')?.split(',')[0];
    const channel: SimChannel | undefined =
      channelId === undefined ? undefined : resolveChannel(core, channelId, { needMember: true });
    const files: SimFile[] = uploads.map(({ item, upload, data }) => {
      core.uploads.delete(upload.fileId);
      return createFile(core, {
        id: upload.fileId,
        name: upload.filename,
        ...(item.title === undefined ? {} : { title: item.title }),
        mimetype: guessMimeType(upload.filename),
        data,
        user: core.config.bot.userId,
      });
    });
    if (!channel) return { body: { files: files.map(wireFile) } };
    const threadParam = readString(params, 'thread_ts');
    const parent = threadParam === undefined ? undefined : core.state.threadParent(channel.id, threadParam);
    const threadTs = parent?.ts ?? threadParam;
    const parentUserId = parent ? core.authorOf(parent) : undefined;
    const message = buildBotMessage(core.config, core.createdSec, {
      ts: core.nextTs(),
      text: readString(params, 'initial_comment') ?? '',
      files,
      ...(threadTs === undefined ? {} : { threadTs }),
      ...(parentUserId === undefined ? {} : { parentUserId }),
    });
    for (const file of files) recordShare(file, channel, message.ts, threadTs);
    // The message carries the files as shared, so build the event after recording the shares.
    message.files = files.map(wireFile);
    const event = addMessage(core, channel, message);
    return { body: { files: files.map(wireFile) }, events: [event] };
  },
};

export const filesInfo: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'files:read');
    const file = core.state.files.get(readString(params, 'file') ?? '');
    if (!file) throw new SlackApiError('file_not_found');
    return { body: { file: wireFile(file), comments: [], response_metadata: { next_cursor: '' } } };
  },
};

const MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  heic: 'image/heic',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  caf: 'audio/x-caf',
  zip: 'application/zip',
};

/** Slack infers the type from the name (the upload carries no content type). */
function guessMimeType(filename: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return MIME_TYPES[extension] ?? 'application/octet-stream';
}
