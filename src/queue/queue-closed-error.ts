/**
 * The queues were closed (shutdown) before this item could finish. Not a delivery failure: `onFailed` is not called
 * and the item is left for the journal to replay after the restart.
 */
export class QueueClosedError extends Error {
  readonly code = 'queue_closed';

  constructor() {
    super('Send queues closed before the item finished');
    this.name = 'QueueClosedError';
  }
}
