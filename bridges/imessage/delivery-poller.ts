import type { Logger } from 'pino';
import type { IngestFn } from '../../src/core/ingress.js';
import type { ConversationKey } from '../../src/core/model.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import type { MessagesDevClient } from './client.js';
import { readsDestination } from './destinations.js';
import { toMessageId } from './ids.js';

/**
 * messages.dev has no failure webhook: a failed send shows only in `GET /v1/outbox?id=`. Each accepted
 * send is polled a few times, sparingly, at low priority (sends go first in the key's hourly budget),
 * until `message.sent` confirms it or the outbox says it ended.
 */
export class DeliveryPoller {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #ingest: IngestFn | undefined;

  constructor(
    private readonly deps: {
      readonly client: MessagesDevClient;
      readonly queues: SendQueues;
      readonly log: Logger;
      /** Delays, from acceptance, of each poll. */
      readonly scheduleMs: readonly number[];
    },
  ) {}

  start(ingest: IngestFn): void {
    this.#ingest = ingest;
  }

  /** Starts following a send. */
  track(conversation: ConversationKey, outboxId: string): void {
    this.#schedule(conversation, outboxId, 0, 0);
  }

  /** `message.sent` arrived for it: no need to ask. */
  confirm(outboxId: string): void {
    clearTimeout(this.#timers.get(outboxId));
    this.#timers.delete(outboxId);
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(conversation: ConversationKey, outboxId: string, attempt: number, elapsed: number): void {
    const at = this.deps.scheduleMs[attempt];
    if (at === undefined) {
      this.#timers.delete(outboxId);
      return;
    }
    const timer = setTimeout(() => {
      this.#poll(conversation, outboxId).then(
        (done) => (done ? this.confirm(outboxId) : this.#schedule(conversation, outboxId, attempt + 1, at)),
        (error: unknown) => {
          this.deps.log.warn({ err: error, outbox_id: outboxId }, 'Outbox poll failed');
          this.#schedule(conversation, outboxId, attempt + 1, at);
        },
      );
    }, at - elapsed);
    timer.unref();
    this.#timers.set(outboxId, timer);
  }

  /** True when the item reached an end (sent or failed). */
  async #poll(conversation: ConversationKey, outboxId: string): Promise<boolean> {
    if (!this.#timers.has(outboxId)) return true;
    const item = await this.deps.queues.enqueue(readsDestination, {
      label: `outbox poll ${outboxId}`,
      priority: 'poll',
      idempotent: true,
      run: () => this.deps.client.getOutboxItem(outboxId),
    });
    if (item.status !== 'sent' && item.status !== 'failed') return false;
    await this.#ingest?.(
      {
        dedupeKey: `imessage:outbox:${outboxId}:${item.status}`,
        event: {
          kind: 'delivery',
          origin: { bridge: 'imessage', messageId: toMessageId(outboxId), conversation },
          outboxId,
          status: item.status,
          ...(item.error ? { reason: `messages.dev could not deliver it: ${item.error}` } : {}),
        },
      },
      this.deps.log,
    );
    return true;
  }
}
