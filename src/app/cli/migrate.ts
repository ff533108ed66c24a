import type { Config } from '../config-schema.js';
import { BridgeError } from '../../core/errors.js';
import { preparePgSchema, redactedUrl } from '../../store/pg-store.js';
import { exitCodes, type ExitCode } from './exit-codes.js';

interface Out {
  say(text: string): void;
  complain(text: string): void;
}

/**
 * `threadline migrate`: brings the PostgreSQL store's schema up to date, as every replica does at start
 * (under the same lock), for operators who migrate before rolling out a new version.
 */
export async function runMigrateCommand(options: { config: Config; out: Out }): Promise<ExitCode> {
  const { config, out } = options;
  if (config.store.url === undefined) {
    out.complain(
      'threadline migrate: store.url is not set. The embedded store (store.path) needs no migration: it upgrades itself at start.',
    );
    return exitCodes.badConfig;
  }
  const target = redactedUrl(config.store.url) + (config.store.schema ? ` (schema ${config.store.schema})` : '');
  try {
    const result = await preparePgSchema({
      url: config.store.url,
      ...(config.store.schema !== undefined && { schema: config.store.schema }),
    });
    out.say(
      result.applied.length > 0
        ? `Migrated ${target} to schema version ${result.version} (applied ${result.applied.join(', ')}).`
        : `${target} is up to date (schema version ${result.version}).`,
    );
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    out.complain(`threadline migrate: ${error.message}`);
    return exitCodes.failure;
  }
}
