import { BridgeError } from '../core/errors.js';

/** A store failure. `file` names the file involved, when there is one. */
export class StoreError extends BridgeError {
  readonly file: string | undefined;

  constructor(
    code:
      | 'store_corrupt'
      | 'store_io'
      | 'store_closed'
      | 'store_locked'
      | 'store_schema'
      | 'store_fenced'
      | 'store_not_empty',
    message: string,
    options: { file?: string; cause?: unknown } = {},
  ) {
    super(code, message, { retryable: code === 'store_io', cause: options.cause });
    this.file = options.file;
  }
}

/** The error for a shard whose content is not what the store writes. */
export function corruptShard(file: string, why: string): StoreError {
  return new StoreError('store_corrupt', `Store file ${file} is corrupt: ${why}`, { file });
}
