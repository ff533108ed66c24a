import type { MessageId } from '../../src/core/model.js';

/** messages.dev message ids (`msg_…`) and iMessage GUIDs are used as they are: both address a message. */
export function toMessageId(id: string): MessageId {
  return id as MessageId;
}

/** The key that makes a redelivered webhook harmless. */
export function deliveryKey(deliveryId: string): string {
  return `imessage:delivery:${deliveryId}`;
}

/** The key that makes the same effect under a new delivery id harmless. */
export function effectKey(event: string, id: string): string {
  return `imessage:${event}:${id}`;
}
