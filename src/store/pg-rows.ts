import type { ConversationKey, TeamBridgeId } from '../core/model.js';
import type { ConversationRecord } from './conversation-record.js';
import { mergeConversation, TEAM_BRIDGES, withoutThread } from './conversation-record.js';
import { deepFreeze } from './journal-table.js';
import { checkedCursor, newEffectRecord, patchedEffect } from './record-shapes.js';
import { checkNewLink, mergeLink } from './link-keys.js';
import type { PgChanges } from './pg-changes.js';
import type {
  BackfillCursor,
  Conversation,
  ConversationPatch,
  ConversationStore,
  CursorStore,
  DedupeStore,
  Effect,
  EffectPatch,
  EffectState,
  EffectStore,
  Journal,
  JournalEntry,
  JournalInput,
  LinkStore,
  MessageLink,
  MessageLinkPatch,
  NewEffect,
  NewMessageLink,
} from './store.js';

/**
 * The PostgreSQL store's memory: every row, held as plain maps with the indexes the lookups need, so
 * reads and mutations stay synchronous like the embedded store's. Each mutation notes the row it changed;
 * a commit writes those rows (see pg-store.ts).
 */
export interface RowHost {
  now(): number;
  /** Throws a `store_closed` StoreError once the store is closed. */
  assertOpen(): void;
  readonly changes: PgChanges;
}

const noIntern = (value: string) => value;

/** The map key of a conversation: unambiguous whatever its line and chat contain. */
export function conversationRowKey(line: string, chat: string): string {
  return JSON.stringify([line, chat]);
}

export class ConversationRows implements ConversationStore {
  readonly #host: RowHost;
  readonly #rows = new Map<string, ConversationRecord>();
  /** `bridge`, channel, thread → the conversation's row key. */
  readonly #byThread = new Map<string, string>();

  constructor(host: RowHost) {
    this.#host = host;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** The stored form of a row, for a commit; undefined when it is gone. */
  row(key: string): ConversationRecord | undefined {
    return this.#rows.get(key);
  }

  /** Takes a row read from the database at open. */
  load(record: ConversationRecord): void {
    const key = conversationRowKey(record.line, record.chat);
    this.#rows.set(key, record);
    this.#index(key, record);
  }

  get(key: ConversationKey): Conversation | undefined {
    return this.#rows.get(conversationRowKey(key.line, key.chat))?.toConversation();
  }

  findByThread(bridge: TeamBridgeId, channel: string, thread: string): Conversation | undefined {
    const key = this.#byThread.get(threadKey(bridge, channel, thread));
    return key === undefined ? undefined : this.#rows.get(key)?.toConversation();
  }

  list(): Conversation[] {
    return [...this.#rows.values()].map((record) => record.toConversation());
  }

  upsert(key: ConversationKey, patch: ConversationPatch = {}): Conversation {
    this.#host.assertOpen();
    if (typeof key.line !== 'string' || typeof key.chat !== 'string' || !key.line || !key.chat) {
      throw new TypeError('Expected a conversation key with a non-empty line and chat');
    }
    const rowKey = conversationRowKey(key.line, key.chat);
    const before = this.#rows.get(rowKey);
    const next = mergeConversation(before, key, patch, this.#host.now(), noIntern);
    if (before) this.#unindex(before);
    for (const bridge of TEAM_BRIDGES) {
      const ref = next.thread(bridge);
      const ownerKey = ref && this.#byThread.get(threadKey(bridge, ref.channel, ref.thread));
      // A thread belongs to one conversation: linking it here unlinks it from the previous owner.
      if (ownerKey !== undefined && ownerKey !== rowKey) {
        const owner = this.#rows.get(ownerKey)!;
        this.#unindex(owner);
        const moved = withoutThread(owner, bridge, noIntern);
        this.#rows.set(ownerKey, moved);
        this.#index(ownerKey, moved);
        this.#host.changes.put('conversations', ownerKey);
      }
    }
    this.#rows.set(rowKey, next);
    this.#index(rowKey, next);
    this.#host.changes.put('conversations', rowKey);
    return next.toConversation();
  }

  #index(key: string, record: ConversationRecord): void {
    for (const bridge of TEAM_BRIDGES) {
      const ref = record.thread(bridge);
      if (ref) this.#byThread.set(threadKey(bridge, ref.channel, ref.thread), key);
    }
  }

  #unindex(record: ConversationRecord): void {
    const key = conversationRowKey(record.line, record.chat);
    for (const bridge of TEAM_BRIDGES) {
      const ref = record.thread(bridge);
      const at = ref && threadKey(bridge, ref.channel, ref.thread);
      if (at !== undefined && this.#byThread.get(at) === key) this.#byThread.delete(at);
    }
  }
}

function threadKey(bridge: TeamBridgeId, channel: string, thread: string): string {
  return JSON.stringify([bridge, channel, thread]);
}

const LINK_ID_PREFIX = 'link_';

/** A link's number from its id (`link_42` → 42), or undefined for an id the store never made. */
export function linkNumber(id: string): number | undefined {
  if (!id.startsWith(LINK_ID_PREFIX)) return undefined;
  const digits = id.slice(LINK_ID_PREFIX.length);
  return /^(0|[1-9]\d*)$/.test(digits) ? Number(digits) : undefined;
}

export function linkIdOf(no: number): string {
  return `${LINK_ID_PREFIX}${no}`;
}

type LinkHandle = 'imessageId' | 'guid' | 'outboxId' | 'slack' | 'discord';

function handlesOf(link: Omit<MessageLink, 'id'>): [LinkHandle, string][] {
  const out: [LinkHandle, string][] = [];
  if (link.imessage?.id) out.push(['imessageId', link.imessage.id]);
  if (link.imessage?.guid) out.push(['guid', link.imessage.guid]);
  if (link.imessage?.outboxId) out.push(['outboxId', link.imessage.outboxId]);
  if (link.slack) out.push(['slack', JSON.stringify([link.slack.channel, link.slack.ts])]);
  if (link.discord) out.push(['discord', link.discord.id]);
  return out;
}

export interface LinkRowsOptions {
  readonly retentionMs: number;
  readonly maxLinks: number;
}

export class LinkRows implements LinkStore {
  readonly #host: RowHost;
  readonly #options: LinkRowsOptions;
  /** By link number, in creation order (numbers only grow). */
  readonly #rows = new Map<number, MessageLink>();
  readonly #byHandle: Record<LinkHandle, Map<string, number>> = {
    imessageId: new Map(),
    guid: new Map(),
    outboxId: new Map(),
    slack: new Map(),
    discord: new Map(),
  };
  #next = 0;

  constructor(host: RowHost, options: LinkRowsOptions) {
    this.#host = host;
    this.#options = options;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** The number the next link gets; kept in the database so ids are never reused, even once pruned. */
  get next(): number {
    return this.#next;
  }

  row(no: number): MessageLink | undefined {
    return this.#rows.get(no);
  }

  /** Takes rows read at open, in number order, and the next number. */
  load(links: readonly MessageLink[], next: number): void {
    for (const link of links) {
      const no = linkNumber(link.id)!;
      this.#rows.set(no, link);
      this.#index(no, link);
      this.#next = Math.max(this.#next, no + 1);
    }
    this.#next = Math.max(this.#next, next);
  }

  create(input: NewMessageLink): MessageLink {
    this.#host.assertOpen();
    checkNewLink(input);
    const no = this.#next++;
    const link = freezeLink({
      id: linkIdOf(no),
      conversation: { line: input.conversation.line, chat: input.conversation.chat },
      origin: input.origin,
      ...(input.imessage && { imessage: withoutUndefined(input.imessage) }),
      ...(input.slack && { slack: { channel: input.slack.channel, ts: input.slack.ts } }),
      ...(input.discord && { discord: { channel: input.discord.channel, id: input.discord.id } }),
      createdAt: this.#host.now(),
      ...(input.delivery && { delivery: input.delivery }),
    });
    this.#rows.set(no, link);
    this.#index(no, link);
    this.#host.changes.put('links', no);
    return link;
  }

  get(id: string): MessageLink | undefined {
    const no = linkNumber(id);
    return no === undefined ? undefined : this.#rows.get(no);
  }

  update(id: string, patch: MessageLinkPatch): MessageLink | undefined {
    this.#host.assertOpen();
    const no = linkNumber(id);
    const before = no === undefined ? undefined : this.#rows.get(no);
    if (no === undefined || !before) return undefined;
    const next = freezeLink({ id, ...mergeLink(before, patch) });
    this.#unindex(no, before);
    this.#rows.set(no, next);
    this.#index(no, next);
    this.#host.changes.put('links', no);
    return next;
  }

  findByIMessageId(messageId: string): MessageLink | undefined {
    return this.#find('imessageId', messageId);
  }

  findByGuid(guid: string): MessageLink | undefined {
    return this.#find('guid', guid);
  }

  findByOutboxId(outboxId: string): MessageLink | undefined {
    return this.#find('outboxId', outboxId);
  }

  findBySlack(channel: string, ts: string): MessageLink | undefined {
    return this.#find('slack', JSON.stringify([channel, ts]));
  }

  findByDiscord(messageId: string): MessageLink | undefined {
    return this.#find('discord', messageId);
  }

  list(): MessageLink[] {
    return [...this.#rows.values()];
  }

  /** Drops links older than the retention and, oldest first, links beyond `maxLinks`; returns how many. */
  prune(now: number): number {
    const cutoff = now - this.#options.retentionMs;
    let removed = 0;
    for (const [no, link] of this.#rows) {
      if (link.createdAt >= cutoff && this.#rows.size <= this.#options.maxLinks) break;
      this.#unindex(no, link);
      this.#rows.delete(no);
      this.#host.changes.del('links', no);
      removed++;
    }
    return removed;
  }

  #find(handle: LinkHandle, value: string): MessageLink | undefined {
    const no = this.#byHandle[handle].get(value);
    return no === undefined ? undefined : this.#rows.get(no);
  }

  #index(no: number, link: MessageLink): void {
    // A handle already used by another link is taken over by the newer one.
    for (const [handle, value] of handlesOf(link)) {
      const holder = this.#byHandle[handle].get(value);
      if (holder === undefined || holder <= no) this.#byHandle[handle].set(value, no);
    }
  }

  #unindex(no: number, link: MessageLink): void {
    for (const [handle, value] of handlesOf(link)) {
      if (this.#byHandle[handle].get(value) === no) this.#byHandle[handle].delete(value);
    }
  }
}

function freezeLink(link: MessageLink): MessageLink {
  return deepFreeze(link);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** JSON → a frozen copy; a TypeError when JSON cannot hold the value. */
function frozenJson(value: unknown, what: string): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`Expected ${what} that JSON can represent`);
  return deepFreeze(JSON.parse(text) as unknown);
}

export class JournalRows implements Journal {
  readonly #host: RowHost;
  readonly #entries = new Map<number, JournalEntry>();
  /** Completed here, their deletion not yet committed: a read of the database in between must not bring them back. */
  readonly #completed = new Set<number>();
  readonly #allocate: () => number;

  /** `allocate`: the next sequence number (the database's sequence, so every replica's entries share one order). */
  constructor(host: RowHost, allocate: () => number) {
    this.#host = host;
    this.#allocate = allocate;
  }

  get size(): number {
    return this.#entries.size;
  }

  row(seq: number): JournalEntry | undefined {
    return this.#entries.get(seq);
  }

  /**
   * Takes an entry already in the database (read at open, or journaled by any replica since); false when
   * it is known already, or was completed here and its deletion is not yet known to be committed.
   */
  adopt(entry: JournalEntry): boolean {
    if (this.#entries.has(entry.seq) || this.#completed.has(entry.seq)) return false;
    this.#entries.set(entry.seq, Object.freeze({ ...entry, payload: deepFreeze(entry.payload) }));
    return true;
  }

  /** The deletions of these completed entries are committed: nothing read from now on holds them. */
  deleted(seqs: Iterable<number>): void {
    for (const seq of seqs) this.#completed.delete(seq);
  }

  append(input: JournalInput): number {
    this.#host.assertOpen();
    if (typeof input.kind !== 'string' || input.kind.length === 0) {
      throw new TypeError('Expected journal kind to be a non-empty string');
    }
    const payload = frozenJson(input.payload, 'a journal payload');
    const seq = this.#allocate();
    this.#entries.set(seq, Object.freeze({ seq, kind: input.kind, payload, appendedAt: this.#host.now() }));
    this.#host.changes.put('journal', seq);
    return seq;
  }

  complete(seq: number): boolean {
    this.#host.assertOpen();
    if (!this.#entries.delete(seq)) return false;
    this.#completed.add(seq);
    this.#host.changes.del('journal', seq);
    return true;
  }

  pending(): JournalEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
  }
}

export class EffectRows implements EffectStore {
  readonly #host: RowHost;
  readonly #rows = new Map<number, Effect>();
  readonly #deadRetentionMs: number;
  #next = 1;

  constructor(host: RowHost, options: { deadRetentionMs: number }) {
    this.#host = host;
    this.#deadRetentionMs = options.deadRetentionMs;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** The id the next effect gets; kept in the database so ids are never reused. */
  get next(): number {
    return this.#next;
  }

  row(id: number): Effect | undefined {
    return this.#rows.get(id);
  }

  /** Takes rows read at open, in id order, and the next id. */
  load(effects: readonly Effect[], next: number): void {
    for (const effect of effects) {
      this.#rows.set(effect.id, deepFreeze(effect));
      this.#next = Math.max(this.#next, effect.id + 1);
    }
    this.#next = Math.max(this.#next, next);
  }

  append(input: NewEffect): Effect {
    this.#host.assertOpen();
    const effect = newEffectRecord(input, this.#host.now(), () => this.#next++);
    this.#rows.set(effect.id, effect);
    this.#host.changes.put('effects', effect.id);
    return effect;
  }

  get(id: number): Effect | undefined {
    return this.#rows.get(id);
  }

  update(id: number, patch: EffectPatch): Effect | undefined {
    this.#host.assertOpen();
    const current = this.#rows.get(id);
    if (!current) return undefined;
    const updated = patchedEffect(current, patch);
    this.#rows.set(id, updated);
    this.#host.changes.put('effects', id);
    return updated;
  }

  complete(id: number): boolean {
    this.#host.assertOpen();
    if (!this.#rows.delete(id)) return false;
    this.#host.changes.del('effects', id);
    return true;
  }

  list(): Effect[] {
    return [...this.#rows.values()];
  }

  states(): Iterable<EffectState> {
    return this.#rows.values();
  }

  /** Removes dead letters that died more than the retention ago; returns how many. */
  prune(now: number): number {
    let removed = 0;
    for (const effect of this.#rows.values()) {
      if (effect.deadAt === undefined || effect.deadAt + this.#deadRetentionMs > now) continue;
      this.#rows.delete(effect.id);
      this.#host.changes.del('effects', effect.id);
      removed++;
    }
    return removed;
  }
}

export class DedupeRows implements DedupeStore {
  readonly #host: RowHost;
  /** Key → expiry (Unix ms). */
  readonly #keys = new Map<string, number>();

  constructor(host: RowHost) {
    this.#host = host;
  }

  get size(): number {
    return this.#keys.size;
  }

  expiryOf(key: string): number | undefined {
    return this.#keys.get(key);
  }

  /** Takes a claim that is in the database (read at open, or made by a replica's ingress). */
  adopt(key: string, expiresAt: number): void {
    this.#keys.set(key, Math.max(expiresAt, this.#keys.get(key) ?? 0));
  }

  claim(key: string, ttlMs: number): boolean {
    this.#host.assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('Expected a non-empty dedupe key');
    if (!(ttlMs > 0)) throw new TypeError(`Expected a positive ttlMs, got ${ttlMs}`);
    const now = this.#host.now();
    if ((this.#keys.get(key) ?? 0) > now) return false;
    this.#keys.set(key, now + ttlMs);
    this.#host.changes.put('dedupe', key);
    return true;
  }

  has(key: string): boolean {
    return (this.#keys.get(key) ?? 0) > this.#host.now();
  }

  entries(): [string, number][] {
    const now = this.#host.now();
    return [...this.#keys].filter(([, expiresAt]) => expiresAt > now);
  }

  release(key: string): boolean {
    this.#host.assertOpen();
    const live = this.has(key);
    if (this.#keys.delete(key)) this.#host.changes.del('dedupe', key);
    return live;
  }

  /** Forgets expired keys; returns how many. */
  prune(now: number): number {
    let removed = 0;
    for (const [key, expiresAt] of this.#keys) {
      if (expiresAt > now) continue;
      this.#keys.delete(key);
      this.#host.changes.del('dedupe', key);
      removed++;
    }
    return removed;
  }
}

export class CursorRows implements CursorStore {
  readonly #host: RowHost;
  readonly #cursors = new Map<string, BackfillCursor>();

  constructor(host: RowHost) {
    this.#host = host;
  }

  row(line: string): BackfillCursor | undefined {
    return this.#cursors.get(line);
  }

  load(line: string, cursor: BackfillCursor): void {
    this.#cursors.set(line, Object.freeze(cursor));
  }

  get(line: string): BackfillCursor | undefined {
    return this.#cursors.get(line);
  }

  list(): [string, BackfillCursor][] {
    return [...this.#cursors];
  }

  set(line: string, cursor: BackfillCursor): void {
    this.#host.assertOpen();
    this.#cursors.set(line, checkedCursor(line, cursor));
    this.#host.changes.put('cursors', line);
  }
}
