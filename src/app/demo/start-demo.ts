import type { Logger } from 'pino';
import { createReactionTable } from '../../core/reactions.js';
import { createDemoActions } from './actions.js';
import { findFile } from './files.js';
import { watchWorld } from './live.js';
import { loadStaticFiles } from './static-files.js';
import { viewDemo } from './view-demo.js';
import { createDemoServer } from './web-server.js';
import { startDemoWorld, type DemoWorld } from './world.js';

/** The default port of the page (Vite's, which people recognise as "a local dev page"). */
export const defaultDemoPort = 5173;

export interface DemoOptions {
  /** The page's port on 127.0.0.1; 0 for any free one. A busy port falls back to a free one. */
  readonly port: number;
  readonly log: Logger;
}

export interface RunningDemo {
  /** The page, e.g. http://127.0.0.1:5173. */
  readonly url: string;
  readonly world: DemoWorld;
  /** Closes the page, stops the daemon, then the simulators. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the simulators, the real daemon between them, and the page's server. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const assets = await loadStaticFiles();
  const world = await startDemoWorld(options.log);
  const feed = watchWorld(world);
  const reactions = createReactionTable();
  const server = createDemoServer({
    actions: createDemoActions(world),
    view: () => viewDemo(world, reactions),
    feed,
    files: (platform, id) => findFile(world, platform, id),
    assets,
    log: options.log,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await server.close();
      feed.close();
      await world.stop();
    })();
    return stopping;
  };
  try {
    return { url: await server.listen(options.port), world, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
