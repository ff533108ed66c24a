import { loadConfigWith, parseConfigWith, type LoadConfigInput } from '../config/load.js';
import { configSchema, type Config } from './config-schema.js';

/**
 * Threadline's configuration: the platform-free loader (src/config/load.ts) applied to the schema this
 * composition root assembles from the bridges' blocks. Reads, interpolates and validates once, reporting
 * every problem at once with its key path and a fix, and returns a deeply frozen result.
 * @throws ConfigError with all issues.
 */
export function loadConfig(input: LoadConfigInput): Promise<Config> {
  return loadConfigWith(configSchema, input);
}

/** The synchronous part of {@link loadConfig}, for text already in hand. */
export function parseConfig(text: string, source: string, env: LoadConfigInput['env']): Config {
  return parseConfigWith(configSchema, text, source, env);
}
