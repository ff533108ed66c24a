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
import { DeliveryPoller } from './delivery-poller.js';
import { filesDestination, readsDestination } from './destinations.js';
import { findChat } from './find-chat.js';
import { createImessageWebhookHandler } from './ingress.js';
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
  /** When outbox polls happen after a send, in ms. */
  readonly pollScheduleMs?: readonly number[];
  /** The largest file sent to or fetched from the phone side. */
  readonly maxAttachmentBytes?: number;
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
  const poller = new DeliveryPoller({
    client,
    queues: deps.queues,
    log,
    scheduleMs: deps.pollScheduleMs ?? [15_000, 60_000, 5 * 60_000, 30 * 60_000],
  });
  const outbound: OutboundDeps = {
    client,
    queues: deps.queues,
    log,
    now,
    maxAttachmentBytes,
    onAccepted: (conversation, outboxId) => poller.track(conversation, outboxId),
  };
  let state: BridgeState = 'connecting';

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
        ingest: async (ingress, requestLog) => {
          const { event } = ingress;
          if (event.kind === 'message' && event.outboxId) poller.confirm(event.outboxId);
          if (state === 'transient-disconnect') state = 'connected'; // messages.dev reaches us again
          return ingest(ingress, requestLog);
        },
      }),
    async start(ingest) {
      poller.start(ingest);
      try {
        await client.listLines();
        state = 'connected';
      } catch (error) {
        if (error instanceof MessagesDevApiError && error.status === 401) {
          state = 'bad-credentials';
          throw new BridgeError(
            'credentials_invalid',
            `messages.dev rejected the API key (${error.apiCode}); check imessage.apiKey`,
            {
              cause: error,
            },
          );
        }
        state = 'transient-disconnect';
        log.error({ err: error }, 'messages.dev is not reachable');
      }
      for (const line of deps.lines) {
        backfillLine({ line, client, queues: deps.queues, cursors: deps.cursors, ingest, log, now }).catch(
          (error: unknown) => log.error({ err: error, line }, 'Backfill failed'),
        );
      }
    },
    async stop() {
      poller.stop();
      state = 'stopped';
    },
    state: () => state,
    async send(conversation, message) {
      const result = await sendToPhone(outbound, conversation, message);
      if (state === 'transient-disconnect') state = 'connected';
      return result;
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
