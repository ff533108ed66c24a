import { MessagesDevSimulator } from './simulator.js';
import type { SimulatorOptions } from './types.js';

export { MessagesDevSimulator } from './simulator.js';
export { signWebhookBody } from './webhooks.js';
export type { OutageMode, OutageSpec } from '../shared/outage.js';
export type {
  DeliveryMatch,
  FaultSpec,
  InboundAttachmentInput,
  LineInput,
  LineService,
  OutboxKind,
  OutboxStatus,
  RecordedDelivery,
  RecordedRequest,
  RequestMatch,
  SendsPerLineLimit,
  SimAttachment,
  SimChat,
  SimFile,
  SimLine,
  SimMessage,
  SimOutboxItem,
  SimReaction,
  SimReadReceipt,
  SimStateView,
  SimTypingIndicator,
  SimulateInboundInput,
  SimulateReactionInput,
  SimulateSentFromPhoneInput,
  SimulatorOptions,
  SimWebhook,
  WebhookEvent,
} from './types.js';

/**
 * Starts a faithful local messages.dev (REST API under `basePath`, storage-style blob URLs, signed webhook
 * deliveries) on node:http. Close it with `close()`.
 */
export async function startMessagesDevSimulator(options: SimulatorOptions = {}): Promise<MessagesDevSimulator> {
  const simulator = new MessagesDevSimulator(options);
  await simulator.listen();
  return simulator;
}
