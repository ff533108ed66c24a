import type {
  BridgeState,
  ConversationInfo,
  CreatedThread,
  Mark,
  OpenAttachment,
  PhoneBridge,
  PhoneMessage,
  PostRef,
  TeamBridge,
  TeamPost,
  ThreadRef,
} from '../../src/core/bridge.js';
import type { IngestFn } from '../../src/core/ingress.js';
import type { ConversationKey, TeamBridgeId } from '../../src/core/model.js';
import { currentAttemptHook } from '../../src/queue/attempt-scope.js';

const openNothing: OpenAttachment = async () => {
  throw new Error('no attachments in fakes');
};

/**
 * What the send queues do before a call that may change something (see attempt-scope): the fakes have no
 * queue, so they call the hook themselves, and the effect is marked attempted as it would be.
 */
async function beforePlatformCall(): Promise<void> {
  await currentAttemptHook()?.();
}

/** Resolves when `release()` is called; lets a test hold a call in flight. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** A team platform in memory, implementing the real interface; records every call. */
export class FakeTeamBridge implements TeamBridge {
  readonly capabilities = { markup: 'plain', maxTextLength: 40_000, maxAttachmentBytes: 1_000_000 } as const;
  readonly threads: { channel: string; conversation: ConversationInfo; ref: ThreadRef }[] = [];
  readonly posts: { thread: ThreadRef; post: TeamPost; ref: PostRef }[] = [];
  readonly marks: { thread: ThreadRef; message: PostRef; mark: Mark; reason?: string }[] = [];
  readonly told: { thread: ThreadRef; userId: string; text: string }[] = [];
  readonly reactions: { message: PostRef; emoji: string; removed: boolean }[] = [];
  readonly notices: { thread: ThreadRef; text: string; key: string; replay: boolean }[] = [];
  /** Every call that reached the "platform", in order (method name). */
  readonly calls: string[] = [];
  /**
   * When set, the next calls of that method fail with this error (once each); a list fails that many calls
   * in a row.
   */
  readonly failNext: Partial<Record<'createThread' | 'post' | 'mark' | 'notice', Error | Error[]>> = {};
  /** When set, `createThread` waits for it (to hold a creation in flight). */
  createThreadGate: Promise<void> | undefined;
  /** When set, `mark` waits for it (a reactions budget spent). */
  markGate: Promise<void> | undefined;
  /** Like Slack: the thread's root carries the first post. */
  rootCarriesFirst = false;
  /** What `state()` answers. */
  connection: BridgeState = 'connected';
  /** Set by a test to see (or slow down) how unresolved events are finished. */
  resolve?: TeamBridge['resolve'];
  #next = 1;

  constructor(readonly id: TeamBridgeId) {}

  async start(_ingest: IngestFn): Promise<void> {}
  async stop(): Promise<void> {}
  state(): BridgeState {
    return this.connection;
  }

  async createThread(
    channel: string,
    conversation: ConversationInfo,
    options: { first?: TeamPost; replay: boolean },
  ): Promise<CreatedThread> {
    this.calls.push('createThread');
    await this.createThreadGate;
    await beforePlatformCall();
    this.#fail('createThread');
    const ref = { channel, thread: `${this.id}-thread-${this.#next++}` };
    this.threads.push({ channel, conversation, ref });
    if (this.rootCarriesFirst && options.first) {
      const root = { channel, id: ref.thread };
      this.posts.push({ thread: ref, post: options.first, ref: root });
      return { thread: ref, first: root };
    }
    return { thread: ref };
  }

  async notice(thread: ThreadRef, text: string, key: string, replay: boolean): Promise<PostRef> {
    this.calls.push('notice');
    await beforePlatformCall();
    this.#fail('notice');
    this.notices.push({ thread, text, key, replay });
    return { channel: thread.thread, id: `${this.id}-notice-${this.#next++}` };
  }

  async post(thread: ThreadRef, post: TeamPost): Promise<PostRef> {
    this.calls.push('post');
    await beforePlatformCall();
    this.#fail('post');
    // As on the real platforms: a Slack reply lives in the channel, a Discord message in the thread channel.
    const ref = { channel: this.id === 'slack' ? thread.channel : thread.thread, id: `${this.id}-msg-${this.#next++}` };
    this.posts.push({ thread, post, ref });
    return ref;
  }

  async mark(thread: ThreadRef, message: PostRef, mark: Mark, reason?: string): Promise<void> {
    this.calls.push('mark');
    await this.markGate;
    this.#fail('mark');
    this.marks.push({ thread, message, mark, ...(reason !== undefined ? { reason } : {}) });
  }

  async tell(thread: ThreadRef, userId: string, text: string): Promise<void> {
    this.told.push({ thread, userId, text });
  }

  async react(_thread: ThreadRef, message: PostRef, emoji: string, removed: boolean): Promise<void> {
    this.reactions.push({ message, emoji, removed });
  }

  openAttachment = openNothing;

  #fail(method: 'createThread' | 'post' | 'mark' | 'notice'): void {
    const planned = this.failNext[method];
    if (!planned) return;
    if (Array.isArray(planned)) {
      const error = planned.shift();
      if (planned.length === 0) delete this.failNext[method];
      if (error) throw error;
      return;
    }
    delete this.failNext[method];
    throw planned;
  }
}

/** The phone side in memory. */
export class FakePhoneBridge implements PhoneBridge {
  readonly id = 'imessage' as const;
  readonly maxAttachmentBytes = 1_000_000;
  readonly sends: { conversation: ConversationKey; message: PhoneMessage; outboxId: string }[] = [];
  readonly tapbacks: { conversation: ConversationKey; messageId: string; tapback: string }[] = [];
  failNextSend: Error | undefined;
  /** What `deliveryOf` answers, by outbox id (default pending). */
  readonly outbox = new Map<string, { status: 'pending' | 'sent' | 'failed'; reason?: string }>();
  readonly deliveryPolls: string[] = [];
  /** What `state()` answers. */
  connection: BridgeState = 'connected';
  #next = 1;

  async start(_ingest: IngestFn): Promise<void> {}
  async stop(): Promise<void> {}
  state(): BridgeState {
    return this.connection;
  }

  async deliveryOf(outboxId: string): Promise<{ status: 'pending' | 'sent' | 'failed'; reason?: string }> {
    this.deliveryPolls.push(outboxId);
    return this.outbox.get(outboxId) ?? { status: 'pending' };
  }

  async send(conversation: ConversationKey, message: PhoneMessage): Promise<{ outboxId: string }> {
    await beforePlatformCall();
    if (this.failNextSend) {
      const error = this.failNextSend;
      this.failNextSend = undefined;
      throw error;
    }
    const outboxId = `obx_${this.#next++}`;
    this.sends.push({ conversation, message, outboxId });
    return { outboxId };
  }

  /** Contacts that have texted the line, by handle. */
  readonly knownChats = new Map<string, ConversationKey>();

  async findConversation(_line: string, handle: string): Promise<ConversationKey | undefined> {
    return this.knownChats.get(handle);
  }

  async react(conversation: ConversationKey, messageId: string, tapback: string): Promise<void> {
    this.tapbacks.push({ conversation, messageId, tapback });
  }

  openAttachment = openNothing;
}
