import type { Logger } from 'pino';
import { startDemo } from './start-demo.js';

export interface RunDemoOptions {
  readonly port: number;
  readonly log: Logger;
  /** Prints one line for the person at the terminal. */
  readonly say: (line: string) => void;
}

/** `threadline demo`: runs until SIGINT/SIGTERM, then stops the daemon and the simulators; resolves with 0. */
export async function runDemo(options: RunDemoOptions): Promise<number> {
  const demo = await startDemo({ port: options.port, log: options.log });
  options.say(`Threadline demo: ${demo.url}`);
  if (demo.world.discordUnavailable !== undefined) {
    options.say(`(Discord pane inactive: ${demo.world.discordUnavailable})`);
  }
  options.say('Press Ctrl-C to stop.');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  options.log.info({ signal }, 'Demo: stopping');
  await demo.stop();
  return 0;
}
