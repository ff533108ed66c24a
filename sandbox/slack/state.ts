import type { SlackSimConfig } from './config.js';
import { compareTs } from './ids.js';
import type { SimChannel, SimEphemeral, SimFile, SimMessage, SimStateView, SimUser } from './types.js';

interface ChannelStore {
  /** Top-level messages and thread broadcasts, oldest first. */
  top: SimMessage[];
  /** Replies by parent ts, oldest first (a broadcast reply is in both lists: the same object). */
  threads: Map<string, SimMessage[]>;
  byTs: Map<string, SimMessage>;
}

/** What removing a message did to the thread it was in. */
export interface RemovalResult {
  previous: SimMessage;
  /** The parent had replies, so it became a tombstone instead of disappearing (Slack sends message_changed). */
  tombstone?: { previous: SimMessage; message: SimMessage };
  /** The parent was a tombstone and lost its last reply, so it went too (Slack sends message_deleted). */
  removedTombstone?: SimMessage;
}

const TOMBSTONE_TEXT = 'This message was deleted.';

/** Channels, users, messages, threads, files and ephemerals, in memory. */
export class SlackState implements SimStateView {
  readonly channels = new Map<string, SimChannel>();
  readonly users = new Map<string, SimUser>();
  readonly files = new Map<string, SimFile>();
  readonly ephemerals: SimEphemeral[] = [];
  readonly #stores = new Map<string, ChannelStore>();
  readonly #authorOf: (message: SimMessage) => string | undefined;

  constructor(config: SlackSimConfig, createdSec: number, authorOf: (message: SimMessage) => string | undefined) {
    this.#authorOf = authorOf;
    for (const input of config.channels) {
      this.channels.set(input.id, {
        id: input.id,
        name: input.name,
        isPrivate: input.isPrivate ?? false,
        botIsMember: input.botIsMember ?? true,
        created: createdSec,
      });
    }
    for (const input of config.users) {
      this.users.set(input.id, {
        id: input.id,
        name: input.name,
        realName: input.realName ?? input.name,
        displayName: input.displayName ?? '',
        image72: input.image72,
      });
    }
  }

  /** A channel by id, or by name ('support' or '#support'), as chat.postMessage accepts. */
  findChannel(idOrName: string): SimChannel | undefined {
    const byId = this.channels.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^#/, '');
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  messages(channel: string): SimMessage[] {
    return [...(this.#stores.get(channel)?.top ?? [])];
  }

  replies(channel: string, threadTs: string): SimMessage[] {
    return [...(this.#stores.get(channel)?.threads.get(threadTs) ?? [])];
  }

  message(channel: string, ts: string): SimMessage | undefined {
    return this.#stores.get(channel)?.byTs.get(ts);
  }

  /** Stores a new message: a reply when its thread_ts differs from its ts (and in the channel too if broadcast). */
  add(channel: string, message: SimMessage): void {
    const store = this.#store(channel);
    store.byTs.set(message.ts, message);
    const parentTs =
      message.thread_ts !== undefined && message.thread_ts !== message.ts ? message.thread_ts : undefined;
    if (parentTs === undefined) {
      insertSorted(store.top, message);
      return;
    }
    const replies = store.threads.get(parentTs) ?? [];
    insertSorted(replies, message);
    store.threads.set(parentTs, replies);
    if (message.subtype === 'thread_broadcast') insertSorted(store.top, message);
    const parent = store.byTs.get(parentTs);
    if (parent) this.#refreshParent(parent, replies);
  }

  /** Removes a message; a parent with replies becomes a tombstone, as in Slack. */
  remove(channel: string, ts: string): RemovalResult | undefined {
    const store = this.#stores.get(channel);
    const message = store?.byTs.get(ts);
    if (!store || !message) return undefined;
    const previous = structuredClone(message);
    const parentTs = message.thread_ts !== undefined && message.thread_ts !== ts ? message.thread_ts : undefined;
    if (parentTs === undefined) {
      const replies = store.threads.get(ts) ?? [];
      if (replies.length > 0) {
        const tombstone = toTombstone(message);
        replaceContents(message, tombstone);
        return { previous, tombstone: { previous, message } };
      }
      store.byTs.delete(ts);
      removeFrom(store.top, message);
      return { previous };
    }
    store.byTs.delete(ts);
    removeFrom(store.top, message);
    const replies = store.threads.get(parentTs) ?? [];
    removeFrom(replies, message);
    const parent = store.byTs.get(parentTs);
    if (!parent) return { previous };
    if (replies.length === 0 && parent.subtype === 'tombstone') {
      store.threads.delete(parentTs);
      store.byTs.delete(parentTs);
      removeFrom(store.top, parent);
      return { previous, removedTombstone: parent };
    }
    this.#refreshParent(parent, replies);
    return { previous };
  }

  /** The parent of a thread, if it exists (a reply's ts resolves to its parent). */
  threadParent(channel: string, ts: string): SimMessage | undefined {
    const message = this.message(channel, ts);
    if (!message) return undefined;
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts)
      return this.message(channel, message.thread_ts);
    return message;
  }

  #store(channel: string): ChannelStore {
    let store = this.#stores.get(channel);
    if (!store) {
      store = { top: [], threads: new Map(), byTs: new Map() };
      this.#stores.set(channel, store);
    }
    return store;
  }

  #refreshParent(parent: SimMessage, replies: SimMessage[]): void {
    const latest = replies.at(-1);
    if (!latest) {
      delete parent.thread_ts;
      delete parent.reply_count;
      delete parent.reply_users_count;
      delete parent.latest_reply;
      delete parent.reply_users;
      delete parent.is_locked;
      delete parent.subscribed;
      return;
    }
    const users: string[] = [];
    for (const reply of replies) {
      const author = this.#authorOf(reply);
      if (author !== undefined && !users.includes(author)) users.push(author);
    }
    parent.thread_ts = parent.ts;
    parent.reply_count = replies.length;
    parent.reply_users_count = users.length;
    parent.latest_reply = latest.ts;
    parent.reply_users = users.slice(0, 5);
    parent.is_locked = false;
    parent.subscribed = false;
  }
}

function toTombstone(message: SimMessage): SimMessage {
  return {
    type: 'message',
    subtype: 'tombstone',
    text: TOMBSTONE_TEXT,
    user: 'USLACKBOT',
    hidden: true,
    ts: message.ts,
    thread_ts: message.ts,
    parent_user_id: 'USLACKBOT',
    reply_count: message.reply_count ?? 0,
    reply_users_count: message.reply_users_count ?? 0,
    latest_reply: message.latest_reply ?? '0000000000.000000',
    reply_users: message.reply_users ?? [],
    is_locked: false,
    subscribed: false,
  };
}

/** Replaces an object's fields in place, so every list holding it sees the change. */
export function replaceContents(target: SimMessage, source: SimMessage): void {
  for (const key of Object.keys(target)) delete (target as unknown as Record<string, unknown>)[key];
  Object.assign(target, source);
}

function insertSorted(list: SimMessage[], message: SimMessage): void {
  let index = list.length;
  while (index > 0 && compareTs(list[index - 1]?.ts ?? '0', message.ts) > 0) index--;
  list.splice(index, 0, message);
}

function removeFrom(list: SimMessage[], message: SimMessage): void {
  const index = list.indexOf(message);
  if (index >= 0) list.splice(index, 1);
}
