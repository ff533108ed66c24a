import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../shared/http-io.js';
import type { SlackCore } from './core.js';
import { bearerToken } from './http-io.js';
import { newFileId } from './ids.js';
import { wireFile } from './messages.js';
import type { SimChannel, SimFile } from './types.js';

const FILES_PREFIX = '/files-pri/';
export const UPLOAD_PREFIX = '/upload/v1/';

/** The workspace subdomain, as in https://<domain>.slack.com. */
export function teamDomain(core: SlackCore): string {
  return (
    core.config.team.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'workspace'
  );
}

export interface NewFileInput {
  id?: string;
  name: string;
  title?: string;
  mimetype: string;
  data: Buffer;
  user: string;
}

/** Stores a hosted file whose url_private / url_private_download point at this simulator. */
export function createFile(core: SlackCore, input: NewFileInput): SimFile {
  const id = input.id ?? newFileId();
  const now = core.nowSec();
  const encoded = encodeURIComponent(input.name);
  const extension = /\.([a-z0-9]+)$/i.exec(input.name)?.[1]?.toLowerCase() ?? 'binary';
  const file: SimFile = {
    id,
    created: now,
    timestamp: now,
    name: input.name,
    title: input.title ?? input.name,
    mimetype: input.mimetype,
    filetype: extension,
    pretty_type: extension.toUpperCase(),
    user: input.user,
    user_team: core.config.team.id,
    editable: false,
    size: input.data.length,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: false,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: `${core.origin}${FILES_PREFIX}${core.config.team.id}-${id}/${encoded}`,
    url_private_download: `${core.origin}${FILES_PREFIX}${core.config.team.id}-${id}/download/${encoded}`,
    permalink: `https://${teamDomain(core)}.slack.com/files/${input.user}/${id}/${encoded}`,
    permalink_public: `https://slack-files.com/${core.config.team.id}-${id}-0000000000`,
    has_rich_preview: false,
    file_access: 'visible',
    data: input.data,
  };
  core.state.files.set(id, file);
  core.emit('file', wireFile(file));
  return file;
}

/** Records where a file was shared (files.info `shares`, `channels`/`groups`). */
export function recordShare(file: SimFile, channel: SimChannel, ts: string, threadTs: string | undefined): void {
  const visibility = channel.isPrivate ? 'private' : 'public';
  file.is_public = !channel.isPrivate;
  const shares = (file.shares ??= {});
  const byChannel = (shares[visibility] ??= {});
  const share: Record<string, unknown> = {
    ts,
    channel_name: channel.name,
    team_id: file.user_team,
    share_user_id: file.user,
  };
  if (threadTs !== undefined) share['thread_ts'] = threadTs;
  (byChannel[channel.id] ??= []).push(share);
  const list = channel.isPrivate ? (file.groups ??= []) : (file.channels ??= []);
  if (!list.includes(channel.id)) list.push(channel.id);
}

/** GET url_private(_download): the bytes with the bot token; without it a 302 to an HTML login page, like Slack. */
export function serveFileDownload(core: SlackCore, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (!url.pathname.startsWith(FILES_PREFIX)) return false;
  const [teamAndId = '', ...rest] = url.pathname.slice(FILES_PREFIX.length).split('/');
  const fileId = teamAndId.slice(core.config.team.id.length + 1);
  const file = teamAndId.startsWith(`${core.config.team.id}-`) ? core.state.files.get(fileId) : undefined;
  const authorized = bearerToken(req) === core.config.botToken;
  if (!authorized || !file) {
    core.downloads.push({ fileId, authorized, status: 302, at: core.now() });
    res.writeHead(302, { Location: `${core.origin}/?redirect=${encodeURIComponent(url.pathname)}` });
    res.end();
    return true;
  }
  core.downloads.push({ fileId, authorized, status: 200, at: core.now() });
  const headers: Record<string, string> = {
    'Content-Type': file.mimetype,
    'Content-Length': String(file.size),
  };
  if (rest[0] === 'download') {
    headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`;
  }
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : file.data);
  return true;
}

/** The page an unauthenticated file URL lands on. */
export function serveLoginPage(core: SlackCore, res: ServerResponse): void {
  sendText(
    res,
    200,
    `<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to ${core.config.team.name}</h1>` +
      '<form><input name="email" type="email"><button>Sign in</button></form></body></html>',
    'text/html; charset=utf-8',
  );
}

/** POST to an upload_url: multipart with a part named `body` (or raw bytes); 200 `OK - <bytes>` like Slack. */
export async function acceptUpload(
  core: SlackCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): Promise<boolean> {
  if (!url.pathname.startsWith(UPLOAD_PREFIX)) return false;
  const token = url.pathname.slice(UPLOAD_PREFIX.length);
  const upload = [...core.uploads.values()].find((candidate) => candidate.uploadToken === token);
  if (!upload || req.method !== 'POST') {
    sendText(res, 404, 'Not Found', 'text/plain');
    return true;
  }
  let data = raw;
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const part = form.get('body') ?? form.get('file');
    if (part === null) {
      sendText(res, 400, 'missing body part', 'text/plain');
      return true;
    }
    data = typeof part === 'string' ? Buffer.from(part) : Buffer.from(await part.arrayBuffer());
  }
  upload.data = data;
  sendText(res, 200, `OK - ${data.length}`, 'text/plain; charset=utf-8');
  return true;
}

/** A small SVG avatar per user, so the demo page has something to show. */
export function serveAvatar(core: SlackCore, res: ServerResponse, url: URL): boolean {
  const match = /^\/avatars\/([A-Z0-9]+)\.svg$/.exec(url.pathname);
  if (!match?.[1]) return false;
  const user = core.state.users.get(match[1]);
  const letter = (user?.realName ?? user?.name ?? match[1])
    .slice(0, 1)
    .toUpperCase()
    .replace(/[<>&"']/g, '?');
  sendText(
    res,
    200,
    `<svg xmlns="http://www.w3.org/2000/svg" width="72" height="72"><rect width="72" height="72" rx="8" fill="#4a154b"/>` +
      `<text x="36" y="47" font-size="32" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`,
    'image/svg+xml',
  );
  return true;
}
