import type { Logger } from 'pino';
import type { BridgeState, OpenAttachment, PhoneBridge } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import type { IngestFn } from '../../src/core/ingress.js';
import { isTapback } from '../../src/core/reactions.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { RawHandler } from '../../src/server/http-server.js';
import type { CursorStore } from '../../src/store/store.js';
import { backfillLine } from './backfill.js';
import { createMessagesDevClient, type MessagesDevClient } from './client.js';
import { MessagesDevApiError } from './client-errors.js';
import type { ImessageConfig } from './config.js';
import { filesDestination, readsDestination } from './destinations.js';
import { findChat } from './find-chat.js';
import { createImessageWebhookHandler } from './ingress.js';
import { StartupGate } from './startup-gate.js';
import { reactOnPhone, sendToPhone, type OutboundDeps } from './outbound.js';

export interface ImessageBridgeDeps {
  readonly config: ImessageConfig;
  /** The line handles of the routes: backfilled on start. */
  readonly lines: readonly string[];
  readonly queues: SendQueues;
  readonly cursors: CursorStore;
  readonly log: Logger;
  readonly now?: () => number;
  /** Defaults to a client built from the config. */
  readonly client?: MessagesDevClient;
  /**
   * How long after an attempt a send that cannot be found among the chat's messages counts as not sent
   * (then it is sent again). Before that it may still be pending in the outbox, which lists nothing.
   * Default 2 minutes.
   */
  readonly reconcileWindowMs?: number;
  /** How often messages.dev is asked again while it cannot be reached. Default 5 s. */
  readonly probeIntervalMs?: number;
  /** True when an outbox id is already linked to a message (`store.links.findByOutboxId`). */
  readonly isLinkedOutbox?: (outboxId: string) => boolean;
  /** The largest file sent to or fetched from the phone side. */
  readonly maxAttachmentBytes?: number;
  /** How long a webhook waits for the start-up backfill before it is answered 503 (redelivered later). Default 5 s. */
  readonly startupHoldMs?: number;
}

export interface ImessageBridge extends PhoneBridge {
  /** `POST /webhooks/imessage`, to mount on the HTTP server (before `start`). */
  readonly webhookHandler: (ingest: IngestFn) => RawHandler;
  readonly client: MessagesDevClient;
}

/** iMessage has no published limit; 100 MiB mirrors what the Messages app takes and keeps memory bounded. */
const defaultMaxAttachmentBytes = 100 * 1024 * 1024;

/** The phone side: messages.dev webhooks in, REST out, every call through the send queues. */
export function createImessageBridge(deps: ImessageBridgeDeps): ImessageBridge {
  const log = deps.log.child({ bridge: 'imessage' });
  const now = deps.now ?? Date.now;
  const client =
    deps.client ??
    createMessagesDevClient({
      apiUrl: deps.config.apiUrl,
      apiKey: deps.config.apiKey,
      timeoutMs: deps.config.requestTimeoutMs,
      now,
    });
  const maxAttachmentBytes = deps.maxAttachmentBytes ?? defaultMaxAttachmentBytes;
  const outbound: OutboundDeps = {
    client,
    queues: deps.queues,
    log,
    now,
    maxAttachmentBytes,
    reconcileWindowMs: deps.reconcileWindowMs ?? 2 * 60_000,
    isLinkedOutbox: deps.isLinkedOutbox ?? (() => false),
  };
  let state: BridgeState = 'connecting';
  const gate = new StartupGate(deps.startupHoldMs ?? 5_000);
  let probe: ReturnType<typeof setTimeout> | undefined;

  /** Asks messages.dev until it answers; effects for the phone wait while it cannot be reached. */
  const checkReachable = async (): Promise<void> => {
    try {
      await deps.queues.enqueue(readsDestination, {
        label: 'list lines',
        priority: 'poll',
        idempotent: true,
        run: () => client.listLines(),
      });
      if (state !== 'stopped') state = 'connected';
    } catch (error) {
      if (error instanceof MessagesDevApiError && error.status === 401) {
        state = 'bad-credentials';
        throw new BridgeError(
          'credentials_invalid',
          `messages.dev rejected the API key (${error.apiCode}); check imessage.apiKey`,
          { cause: error },
        );
      }
      if (state === 'stopped') return;
      if (state !== 'transient-disconnect') log.error({ err: error }, 'messages.dev is not reachable');
      state = 'transient-disconnect';
      probe = setTimeout(() => void checkReachable().catch(() => undefined), deps.probeIntervalMs ?? 5_000);
      probe.unref();
    }
  };

  const openAttachment: OpenAttachment = async (attachment, maxBytes) => {
    const limit = Math.min(maxBytes, maxAttachmentBytes);
    const file = await deps.queues.enqueue(filesDestination, {
      label: `download ${attachment.name}`,
      idempotent: true,
      // Attachment refs only ever come from verified deliveries and API results.
      run: () => client.downloadFile({ url: attachment.ref, fromApi: true, maxBytes: limit }),
    });
    return { stream: file.stream, ...(file.size !== undefined ? { size: file.size } : {}) };
  };

  return {
    id: 'imessage',
    client,
    maxAttachmentBytes,
    webhookHandler: (ingest) =>
      createImessageWebhookHandler({
        secret: deps.config.webhookSecret,
        now,
        ingest,
        gate,
      }),
    async start(ingest) {
      try {
        await checkReachable();
      } catch (error) {
        gate.open();
        throw error;
      }
      const backfills = deps.lines.map((line) =>
        backfillLine({ line, client, queues: deps.queues, cursors: deps.cursors, ingest, log, now }).catch(
          (error: unknown) => log.error({ err: error, line }, 'Backfill failed'),
        ),
      );
      void Promise.all(backfills).finally(() => gate.open());
    },
    async stop() {
      clearTimeout(probe);
      state = 'stopped';
    },
    state: () => state,
    send: (conversation, message) => sendToPhone(outbound, conversation, message),
    async deliveryOf(outboxId) {
      const item = await deps.queues.enqueue(readsDestination, {
        label: `outbox poll ${outboxId}`,
        priority: 'poll',
        idempotent: true,
        run: () => client.getOutboxItem(outboxId),
      });
      if (item.status === 'sent') return { status: 'sent' };
      if (item.status === 'failed') return { status: 'failed', ...(item.error ? { reason: item.error } : {}) };
      return { status: 'pending' };
    },
    findConversation: (line, handle) => findChat({ client, queues: deps.queues }, line, handle),
    async typing(conversation) {
      // Not a message: it must never hold up a send behind the line's pacing.
      await deps.queues.enqueue(readsDestination, {
        label: 'typing',
        priority: 'poll',
        run: () => client.sendTyping({ from: conversation.line, to: conversation.chat }),
      });
    },
    async react(conversation, messageId, tapback) {
      if (!isTapback(tapback)) throw new BridgeError('unsupported', `iMessage has no tapback "${tapback}"`);
      await reactOnPhone(outbound, conversation, messageId, tapback);
    },
    openAttachment,
  } satisfies ImessageBridge;
}
