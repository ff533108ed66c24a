import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBody, sendText } from '../shared/http-io.js';
import { handleResponseUrl } from './commands.js';
import type { SlackCore } from './core.js';
import { acceptUpload, serveAvatar, serveFileDownload, serveLoginPage } from './files.js';
import { sendJson } from './http-io.js';
import { API_PREFIX, handleWebApi } from './web-api.js';

/**
 * The node:http server: the Web API under /api/, upload URLs, url_private downloads (and the login page they
 * redirect to without a token), response URLs, avatars, and the Socket Mode WebSocket at /link/.
 */
export function createSlackServer(core: SlackCore): Server {
  const server = createServer((req, res) => {
    route(core, req, res).catch((error: unknown) => {
      console.error('Slack simulator: unhandled error', error);
      if (!res.headersSent) sendJson(res, 200, { ok: false, error: 'internal_error' });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    core.hub.handleUpgrade(req, socket, head, url);
  });
  return server;
}

async function route(core: SlackCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const raw = await readBody(req);
  if (core.closing.aborted) {
    res.destroy();
    return;
  }
  if (url.pathname.startsWith(API_PREFIX)) return handleWebApi(core, req, res, url, raw);
  if (await acceptUpload(core, req, res, url, raw)) return;
  if (serveFileDownload(core, req, res, url)) return;
  if (await handleResponseUrl(core, req, res, url, raw)) return;
  if (serveAvatar(core, res, url)) return;
  if (url.pathname === '/' && req.method === 'GET') return serveLoginPage(core, res);
  sendText(res, 404, 'Not Found', 'text/plain');
}
