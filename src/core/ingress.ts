import type { Logger } from 'pino';
import { conversationId, type Ingress } from './model.js';

/** Hands a verified event to the core; resolves once it is durable (then, and only then, the ingress answers 2xx). */
export type IngestFn = (ingress: Ingress, log: Logger) => Promise<'accepted' | 'duplicate'>;

/** The part of the store that durable ingress needs. */
export interface IngressJournal {
  /** Records `key` unless already seen within its time to live; true when it is new. Synchronous in memory. */
  claim(key: string, ttlMs: number): boolean;
  /** Appends a work item (in memory at once, durable at the next commit); returns its sequence number. */
  append(item: { kind: 'ingress'; payload: Ingress }): number;
  /** Resolves when everything changed before the call is on disk. */
  commit(): Promise<void>;
}

export interface IngestOptions {
  /** How long a delivery id (and an effect) is remembered. Redeliveries come within hours; a week is generous. */
  readonly dedupeTtlMs?: number;
  /**
   * Called as soon as an item is appended, before the commit: it may be planned into effects at once,
   * so that they become durable in the same commit (no platform is called before that commit: the
   * effects' first calls wait for their own commit, which this one satisfies).
   */
  readonly onAppended?: (seq: number, ingress: Ingress) => void;
}

export const defaultDedupeTtlMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Durable, idempotent ingress: an event is journaled (group-committed with whatever else arrived in the
 * same few milliseconds) before it is acknowledged, and the same delivery or effect is journaled once.
 * A duplicate is acknowledged only after the commit that holds the original, so a crash in between can
 * never leave a delivery acknowledged but unjournaled.
 */
export function createIngest(journal: IngressJournal, options: IngestOptions = {}): IngestFn {
  const ttl = options.dedupeTtlMs ?? defaultDedupeTtlMs;
  return async (ingress) => {
    const newDelivery = journal.claim(ingress.dedupeKey, ttl);
    const newEffect = newDelivery && (ingress.effectKey === undefined || journal.claim(ingress.effectKey, ttl));
    const seq = newEffect ? journal.append({ kind: 'ingress', payload: ingress }) : undefined;
    if (seq !== undefined) options.onAppended?.(seq, ingress);
    await journal.commit();
    return seq === undefined ? 'duplicate' : 'accepted';
  };
}

/** A journal that claims keys and appends in one durable step (a database transaction). */
export interface AtomicIngressJournal {
  /**
   * Journals the item unless one of `keys` was claimed within its time to live; resolves once durable,
   * with its sequence number, or undefined for a duplicate (once the claim holding the original is durable).
   */
  journalOnce(
    keys: readonly string[],
    item: { kind: 'ingress'; payload: Ingress },
    ttlMs: number,
  ): Promise<number | undefined>;
}

/**
 * Durable, idempotent ingress over an {@link AtomicIngressJournal}: the same delivery arriving at several
 * replicas at once is journaled once, each answered only after the database has it. Events of one
 * conversation (or one team thread) are journaled one after another, in the order they arrived here:
 * concurrent transactions could otherwise commit, and so be planned, in another order.
 */
export function createAtomicIngest(
  journal: AtomicIngressJournal,
  options: { dedupeTtlMs?: number; onJournaled?: (seq: number, ingress: Ingress) => void } = {},
): IngestFn {
  const ttl = options.dedupeTtlMs ?? defaultDedupeTtlMs;
  const inOrder = new KeyedChain();
  return (ingress) =>
    inOrder.run(orderKeyOf(ingress), async () => {
      const keys = ingress.effectKey === undefined ? [ingress.dedupeKey] : [ingress.dedupeKey, ingress.effectKey];
      const seq = await journal.journalOnce(keys, { kind: 'ingress', payload: ingress }, ttl);
      if (seq === undefined) return 'duplicate';
      options.onJournaled?.(seq, ingress);
      return 'accepted';
    });
}

/** What must keep its arrival order: a phone conversation, a team thread (or channel), else the platform. */
function orderKeyOf(ingress: Ingress): string {
  const { origin } = ingress.event;
  if (origin.conversation) return `${origin.bridge}:${conversationId(origin.conversation)}`;
  return [origin.bridge, origin.channel ?? '', origin.thread ?? ''].join(':');
}

/** Runs tasks of one key one after another, in call order; tasks of different keys run concurrently. */
class KeyedChain {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
