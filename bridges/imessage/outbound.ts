import type { Logger } from 'pino';
import type { PhoneMessage } from '../../src/core/bridge.js';
import { BridgeError, CheckLaterError } from '../../src/core/errors.js';
import type { ConversationKey } from '../../src/core/model.js';
import type { ReconcileVerdict, SendQueues } from '../../src/queue/send-queue-types.js';
import type { MessagesDevClient } from './client.js';
import { MessagesDevApiError } from './client-errors.js';
import type { ReactionType } from './client-types.js';
import { filesDestination, lineDestination, readsDestination } from './destinations.js';

export interface OutboundDeps {
  readonly client: MessagesDevClient;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly now: () => number;
  readonly maxAttachmentBytes: number;
  /** After this long since an attempt, a send not found among the chat's messages counts as not sent. */
  readonly reconcileWindowMs: number;
  /** True when an outbox item already stands for another message (so a repeated text is not taken for it). */
  readonly isLinkedOutbox: (outboxId: string) => boolean;
}

/**
 * How often a send in doubt is looked for while its reconcile window runs: each look is one read of the chat
 * from the key's hourly request budget.
 */
const recheckInDoubtMs = 15_000;

/** How far back a reconcile looks for a send that may have gone out. */
const reconcileWindowMs = 10 * 60 * 1000;

/**
 * Sends one message (at most one attachment) to a chat. messages.dev has no idempotency key, so a
 * send whose outcome is unknown, or that is redone after a restart, is reconciled against the chat's
 * latest messages instead of being sent again blindly.
 */
export async function sendToPhone(
  deps: OutboundDeps,
  conversation: ConversationKey,
  message: PhoneMessage,
): Promise<{ outboxId: string }> {
  const startedAt = deps.now();
  const reconcile = () => findSent(deps, conversation, message, startedAt);
  if (message.replay) {
    const attemptedAt = message.attemptedAt ?? startedAt;
    const verdict = await findSent(deps, conversation, message, attemptedAt);
    if (verdict.outcome === 'applied') return verdict.value;
    // Not listed yet: it may still wait in the outbox (which lists nothing). Long after the attempt, it
    // was not sent; before that, ask again later rather than risk sending it twice.
    const untilSure = attemptedAt + deps.reconcileWindowMs - deps.now();
    if (untilSure > 0) {
      throw new CheckLaterError(
        'A send that may have gone out is not listed yet; checking again',
        Math.min(untilSure, recheckInDoubtMs),
      );
    }
    deps.log.warn(
      { conversation: conversation.chat, waitedMs: deps.now() - attemptedAt },
      'A send in doubt was not found among the chat messages; sending it again',
    );
  }
  const fileId = message.attachment ? await uploadAttachment(deps, message) : undefined;
  const { outboxId } = await deps.queues.enqueue(lineDestination(conversation.line), {
    label: `send ${message.idempotencyKey}`,
    run: async () => {
      const receipt = await deps.client
        .sendMessage({
          from: conversation.line,
          to: conversation.chat,
          ...(message.text ? { text: message.text } : {}),
          ...(fileId ? { attachments: [fileId] } : {}),
          ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        })
        .catch(explainSendError);
      return { outboxId: receipt.id };
    },
    reconcile,
  });
  return { outboxId };
}

/** A tapback on a message; there is no API to remove one. */
export async function reactOnPhone(
  deps: OutboundDeps,
  conversation: ConversationKey,
  messageId: string,
  tapback: ReactionType,
): Promise<void> {
  await deps.queues.enqueue(lineDestination(conversation.line), {
    label: `tapback ${tapback} on ${messageId}`,
    run: () =>
      deps.client
        .sendReaction({ from: conversation.line, to: conversation.chat, messageId, type: tapback })
        .catch(explainSendError),
  });
}

async function uploadAttachment(deps: OutboundDeps, message: PhoneMessage): Promise<string> {
  const attachment = message.attachment!;
  if (attachment.size !== undefined && attachment.size > deps.maxAttachmentBytes) {
    throw tooLarge(attachment.name, attachment.size, deps.maxAttachmentBytes);
  }
  const file = await deps.queues.enqueue(filesDestination, {
    label: `upload ${message.idempotencyKey}`,
    run: async () => {
      // Opened per attempt: a stream cannot be read twice.
      const body = await message.openAttachment(attachment, deps.maxAttachmentBytes);
      return deps.client.uploadFile({ data: body.stream, filename: attachment.name, mimeType: attachment.mimeType });
    },
    // Nothing is sent to anyone by an upload, so an unknown outcome is safe to repeat.
    idempotent: true,
    reconcile: async () => ({ outcome: 'not-applied' }),
  });
  return file.id;
}

/** Looks for our message among the chat's latest ones (the same text, sent by the line, since the attempt). */
async function findSent(
  deps: OutboundDeps,
  conversation: ConversationKey,
  message: PhoneMessage,
  since: number,
): Promise<ReconcileVerdict<{ outboxId: string }>> {
  const page = await deps.queues.enqueue(readsDestination, {
    label: `reconcile ${message.idempotencyKey}`,
    priority: 'send',
    idempotent: true,
    run: () => deps.client.listMessagesPage({ from: conversation.line, to: conversation.chat, limit: 20 }),
  });
  const match = page.data.find(
    (candidate) =>
      candidate.isFromMe &&
      candidate.outboxId &&
      !deps.isLinkedOutbox(candidate.outboxId) &&
      candidate.sentAt >= since - reconcileWindowMs &&
      (candidate.text ?? '') === message.text &&
      (message.attachment ? candidate.attachments.length > 0 : true),
  );
  if (match?.outboxId) {
    deps.log.info(
      { outbox_id: match.outboxId, conversation: conversation.chat },
      'Reconciled a send that had gone out',
    );
    return { outcome: 'applied', value: { outboxId: match.outboxId } };
  }
  // A pending outbox item is not listed yet, so "not found" does not prove it was not sent.
  return { outcome: 'unknown' };
}

/** Turns messages.dev's refusals into reasons a team member can act on. */
function explainSendError(error: unknown): never {
  if (error instanceof MessagesDevApiError && error.apiCode === 'contact_has_not_messaged') {
    throw new BridgeError(
      'platform_error',
      'Not sent: this contact has not texted the line yet, and messages.dev only delivers to contacts who wrote first (contact_has_not_messaged).',
      { notifyUser: true, cause: error },
    );
  }
  throw error;
}

function tooLarge(name: string, size: number, limit: number): BridgeError {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new BridgeError(
    'too_large',
    `Not sent: ${name} is ${mib(size)}, over the ${mib(limit)} limit for the phone.`,
    {
      notifyUser: true,
    },
  );
}
