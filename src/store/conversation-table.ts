import { conversationId, type ConversationKey, type TeamBridgeId } from '../core/model.js';
import {
  TEAM_BRIDGES,
  mergeConversation,
  parseConversation,
  withoutThread,
  type ConversationRecord,
  type Intern,
} from './conversation-record.js';
import { hashString } from './hash.js';
import { isRecord } from './manifest.js';
import type { ShardHost, ShardTable } from './shard-table.js';
import { StoreError, corruptShard } from './store-error.js';
import type { Conversation, ConversationPatch, ConversationStore } from './store.js';

const PREFIX = 'conversations';
const MAX_DEPTH = 24;

/**
 * Conversations, sharded by hash so that a commit rewrites only the shard of the conversation that
 * changed. A shard is named by the low bits of the hash it holds, least significant first
 * (`conversations-0110`); when one outgrows `perShard` it splits in two by the next bit, so shards stay
 * small however many conversations there are.
 */
export class ConversationTable implements ConversationStore, ShardTable {
  readonly prefix = PREFIX;
  readonly #host: ShardHost;
  readonly #perShard: number;
  readonly #initialDepth: number;
  /** Shard bits → conversations in it, by conversation id. */
  readonly #shards = new Map<string, Map<string, ConversationRecord>>();
  /** Bridge → channel → thread → conversation: nested, so that no key string is built per thread or lookup. */
  readonly #byThread = new Map<TeamBridgeId, Map<string, Map<string, ConversationRecord>>>();
  readonly #strings = new Map<string, string>();
  readonly #intern: Intern = (value) => {
    const known = this.#strings.get(value);
    if (known !== undefined) return known;
    this.#strings.set(value, value);
    return value;
  };
  #size = 0;

  constructor(host: ShardHost, options: { perShard: number; initialDepth?: number }) {
    this.#host = host;
    this.#perShard = options.perShard;
    this.#initialDepth = options.initialDepth ?? 4;
  }

  get size(): number {
    return this.#size;
  }

  get(key: ConversationKey): Conversation | undefined {
    const id = conversationId(key);
    return this.#shardOf(id).get(id)?.toConversation();
  }

  findByThread(bridge: TeamBridgeId, channel: string, thread: string): Conversation | undefined {
    return this.#byThread.get(bridge)?.get(channel)?.get(thread)?.toConversation();
  }

  list(): Conversation[] {
    const all: Conversation[] = [];
    for (const shard of this.#shards.values()) for (const record of shard.values()) all.push(record.toConversation());
    return all;
  }

  upsert(key: ConversationKey, patch: ConversationPatch = {}): Conversation {
    this.#host.assertOpen();
    if (typeof key.line !== 'string' || typeof key.chat !== 'string' || !key.line || !key.chat) {
      throw new TypeError('Expected a conversation key with a non-empty line and chat');
    }
    const id = conversationId(key);
    const bits = this.#bitsOf(id);
    const before = this.#shardOf(id).get(id);
    const next = mergeConversation(before, key, patch, this.#host.now(), this.#intern);
    this.#replace(id, before, next);
    if (!before && (this.#shards.get(bits)?.size ?? 0) > this.#perShard) this.#split(bits);
    return next.toConversation();
  }

  initialize(): void {
    const count = 2 ** this.#initialDepth;
    for (let value = 0; value < count; value++) {
      let bits = '';
      for (let bit = 0; bit < this.#initialDepth; bit++) bits += (value >>> bit) & 1;
      this.#shards.set(bits, new Map());
      this.#host.create(shardName(bits));
    }
  }

  load(name: string, data: unknown, file: string): void {
    const bits = name.slice(PREFIX.length + 1);
    if (!/^[01]+$/.test(bits)) throw corruptShard(file, 'not a conversation shard name');
    if (!isRecord(data) || data.shard !== bits || !Array.isArray(data.conversations)) {
      throw corruptShard(file, 'expected { shard, conversations: [...] }');
    }
    const shard = new Map<string, ConversationRecord>();
    for (const [index, value] of (data.conversations as unknown[]).entries()) {
      const record = parseConversation(value, this.#intern);
      if (typeof record === 'string') throw corruptShard(file, `conversation ${index}: ${record}`);
      shard.set(conversationId(record), record);
    }
    this.#shards.set(bits, shard);
  }

  finishLoad(): void {
    const problem = checkCoverage(this.#shards.keys());
    if (problem) throw new StoreError('store_corrupt', `The store's conversation shards are inconsistent: ${problem}`);
    for (const [bits, shard] of this.#shards) {
      // The shards cover every hash once, so a conversation belongs here when its hash ends in `bits`.
      const mask = 2 ** bits.length - 1;
      const value = bitsValue(bits);
      for (const [id, conversation] of shard) {
        if ((hashString(id) & mask) >>> 0 !== value) {
          throw corruptShard(shardName(bits), `conversation ${id} does not belong in this shard`);
        }
        this.#indexThreads(conversation);
        this.#size++;
      }
    }
  }

  *shardNames(): Iterable<string> {
    for (const bits of this.#shards.keys()) yield shardName(bits);
  }

  snapshot(name: string): unknown {
    const bits = name.slice(PREFIX.length + 1);
    const shard = this.#shards.get(bits);
    return shard && { shard: bits, conversations: [...shard.values()] };
  }

  /** The conversations `ids` of a shard as they are now (conversations are never deleted, only moved by a split, which logs whole shards). */
  deltaOf(name: string, ids: ReadonlySet<string | number>): unknown {
    const shard = this.#shards.get(name.slice(PREFIX.length + 1));
    const put: ConversationRecord[] = [];
    for (const id of ids) {
      const record = shard?.get(String(id));
      if (record) put.push(record);
    }
    return { put };
  }

  applyDelta(name: string, delta: unknown, file: string): void {
    const bits = name.slice(PREFIX.length + 1);
    const shard = this.#shards.get(bits);
    if (!shard) throw corruptShard(file, `a delta for conversation shard ${bits}, which is not loaded`);
    if (!isRecord(delta) || !Array.isArray(delta.put)) throw corruptShard(file, `a ${name} delta is not { put }`);
    for (const [index, value] of (delta.put as unknown[]).entries()) {
      const record = parseConversation(value, this.#intern);
      if (typeof record === 'string') throw corruptShard(file, `${name} delta conversation ${index}: ${record}`);
      shard.set(conversationId(record), record);
    }
  }

  #replace(id: string, before: ConversationRecord | undefined, next: ConversationRecord): void {
    const bits = this.#bitsOf(id);
    this.#shards.get(bits)?.set(id, next);
    if (!before) this.#size++;
    if (before) this.#unindexThreads(before);
    for (const bridge of TEAM_BRIDGES) {
      const ref = next.thread(bridge);
      const owner = ref && this.#byThread.get(bridge)?.get(ref.channel)?.get(ref.thread);
      // A thread belongs to one conversation: linking it here unlinks it from the previous owner.
      if (owner && owner !== before) {
        this.#replace(conversationId(owner), owner, withoutThread(owner, bridge, this.#intern));
      }
    }
    this.#indexThreads(next);
    this.#host.touch(shardName(bits), id);
  }

  #indexThreads(record: ConversationRecord): void {
    for (const bridge of TEAM_BRIDGES) {
      const ref = record.thread(bridge);
      if (!ref) continue;
      let channels = this.#byThread.get(bridge);
      if (!channels) {
        channels = new Map();
        this.#byThread.set(bridge, channels);
      }
      let threads = channels.get(ref.channel);
      if (!threads) {
        threads = new Map();
        channels.set(ref.channel, threads);
      }
      threads.set(ref.thread, record);
    }
  }

  #unindexThreads(record: ConversationRecord): void {
    for (const bridge of TEAM_BRIDGES) {
      const ref = record.thread(bridge);
      const threads = ref && this.#byThread.get(bridge)?.get(ref.channel);
      if (ref && threads?.get(ref.thread) === record) threads.delete(ref.thread);
    }
  }

  #split(bits: string): void {
    const shard = this.#shards.get(bits);
    if (!shard || bits.length >= MAX_DEPTH) return;
    const halves = [new Map<string, ConversationRecord>(), new Map<string, ConversationRecord>()] as const;
    for (const [id, conversation] of shard) {
      const half = (hashString(id) >>> bits.length) & 1 ? halves[1] : halves[0];
      half.set(id, conversation);
    }
    this.#shards.delete(bits);
    this.#host.drop(shardName(bits));
    halves.forEach((half, bit) => {
      this.#shards.set(bits + bit, half);
      this.#host.create(shardName(bits + bit));
    });
  }

  #bitsOf(id: string): string {
    const hash = hashString(id);
    let bits = '';
    while (!this.#shards.has(bits)) {
      if (bits.length >= MAX_DEPTH) throw new Error(`No conversation shard holds ${id}`);
      bits += (hash >>> bits.length) & 1;
    }
    return bits;
  }

  #shardOf(id: string): Map<string, ConversationRecord> {
    return this.#shards.get(this.#bitsOf(id)) ?? new Map<string, ConversationRecord>();
  }
}

/** The number whose low bits are `bits`, least significant first (as shard names hold them). */
function bitsValue(bits: string): number {
  let value = 0;
  for (let bit = bits.length - 1; bit >= 0; bit--) value = value * 2 + (bits[bit] === '1' ? 1 : 0);
  return value;
}

function shardName(bits: string): string {
  return `${PREFIX}-${bits}`;
}

/** Shards must cover every hash exactly once. Returns what is wrong, or undefined. */
function checkCoverage(shards: Iterable<string>): string | undefined {
  const all = new Set(shards);
  let covered = 0;
  for (const bits of all) {
    for (let length = 1; length < bits.length; length++) {
      if (all.has(bits.slice(0, length))) return `${shardName(bits)} overlaps ${shardName(bits.slice(0, length))}`;
    }
    covered += 2 ** (MAX_DEPTH - bits.length);
  }
  return covered === 2 ** MAX_DEPTH ? undefined : 'some hashes belong to no shard (a shard file is missing)';
}
