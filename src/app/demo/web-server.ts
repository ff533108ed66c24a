import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DemoRequestError, type DemoActions } from './actions.js';
import type { StoredFile } from './files.js';
import { HttpInputError, readJson, sendJson } from './http-io.js';
import {
  discordPostInput,
  discordReactInput,
  phoneReactInput,
  phoneSendInput,
  slackPostInput,
  slackReactInput,
} from './inputs.js';
import type { LiveFeed } from './live.js';
import type { StaticFiles } from './static-files.js';
import type { DemoView } from './view.js';

export interface DemoServerDeps {
  /** What the POST endpoints do once their body is valid. */
  readonly actions: DemoActions;
  /** The page's data now (GET /api/state and every event). */
  readonly view: () => DemoView;
  /** When to push a fresh view to the open event streams. */
  readonly feed: LiveFeed;
  /** The bytes behind GET /files/:platform/:id. */
  readonly files: (platform: string, id: string) => StoredFile | undefined;
  readonly assets: StaticFiles;
  readonly log: Logger;
}

export interface DemoServer {
  /** Listens on 127.0.0.1; a busy `port` (other than 0) falls back to a free one. Resolves with the page's URL. */
  listen(port: number): Promise<string>;
  /** Ends the live streams and closes the server. */
  close(): Promise<void>;
}

/** base64 of the largest file, plus the rest of the JSON. */
const bodyLimitBytes = 8 * 1024 * 1024;
/** A comment line keeps idle event streams open through proxies; the page never polls. */
const keepAliveMs = 20_000;

type Post = (body: unknown) => Promise<void>;

/** Parses with `schema` (400 with every issue when it does not fit), then runs the action. */
function post<S extends z.ZodType>(schema: S, run: (input: z.output<S>) => Promise<void>): Post {
  return async (body) => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new HttpInputError(
        400,
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
        issues,
      );
    }
    await run(parsed.data);
  };
}

/** The page's server: static assets, a JSON API for what people do, and Server-Sent Events for what changed. */
export function createDemoServer(deps: DemoServerDeps): DemoServer {
  const { actions, log } = deps;
  const posts: Record<string, Post> = {
    '/api/phone/send': post(phoneSendInput, (input) => actions.phoneSend(input)),
    '/api/phone/react': post(phoneReactInput, (input) => actions.phoneReact(input)),
    '/api/slack/post': post(slackPostInput, (input) => actions.slackPost(input)),
    '/api/slack/react': post(slackReactInput, (input) => actions.slackReact(input)),
    '/api/discord/post': post(discordPostInput, (input) => actions.discordPost(input)),
    '/api/discord/react': post(discordReactInput, (input) => actions.discordReact(input)),
  };
  const streams = new Set<ServerResponse>();

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    const push = () => res.write(`event: state\ndata: ${JSON.stringify(deps.view())}\n\n`);
    res.write('retry: 1000\n\n');
    push();
    const unsubscribe = deps.feed.subscribe(push);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    streams.add(res);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    });
  };

  const serveFile = (res: ServerResponse, platform: string, id: string) => {
    const file = deps.files(platform, id);
    if (!file) return sendJson(res, 404, { error: 'no such file' });
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.data.length,
      'content-disposition': `inline; filename="${file.name.replace(/[^\w.+ -]/g, '_')}"`,
      // Whatever a person attached is shown, never run on this origin.
      'content-security-policy': 'sandbox',
      'x-content-type-options': 'nosniff',
    });
    res.end(file.data);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const action = posts[pathname];
    if (action) {
      if (method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
      await action(await readJson(req, bodyLimitBytes));
      return sendJson(res, 200, { ok: true });
    }
    if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'use GET' });
    if (pathname === '/api/state') return sendJson(res, 200, deps.view());
    if (pathname === '/api/events') return openStream(req, res);
    const file = /^\/files\/(imessage|slack|discord)\/([\w.-]+)$/.exec(pathname);
    if (file) return serveFile(res, file[1] ?? '', file[2] ?? '');
    const asset = deps.assets.get(pathname);
    if (!asset) return sendJson(res, 404, { error: `nothing at ${pathname}` });
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
      'x-content-type-options': 'nosniff',
    });
    res.end(method === 'HEAD' ? undefined : asset.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpInputError) {
        return sendJson(res, error.status, { error: error.message, ...(error.issues ? { issues: error.issues } : {}) });
      }
      if (error instanceof DemoRequestError) return sendJson(res, 400, { error: error.message });
      log.error({ err: error, path: req.url }, 'Demo request failed');
      sendJson(res, 500, { error: error instanceof Error ? error.message : 'failed' });
    });
  });

  const listenOn = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  return {
    async listen(port) {
      try {
        await listenOn(port);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
        log.warn({ port }, 'Demo: port busy; using a free one');
        await listenOn(0);
      }
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
