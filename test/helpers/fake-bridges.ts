import type {
  BridgeState,
  ConversationInfo,
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

const openNothing: OpenAttachment = async () => {
  throw new Error('no attachments in fakes');
};

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
  /** When set, the next calls of that method fail with this error (once each). */
  readonly failNext: Partial<Record<'createThread' | 'post' | 'mark', Error>> = {};
  /** When set, `createThread` waits for it (to hold a creation in flight). */
  createThreadGate: Promise<void> | undefined;
  #next = 1;

  constructor(readonly id: TeamBridgeId) {}

  async start(_ingest: IngestFn): Promise<void> {}
  async stop(): Promise<void> {}
  state(): BridgeState {
    return 'connected';
  }

  async createThread(channel: string, conversation: ConversationInfo): Promise<ThreadRef> {
    await this.createThreadGate;
    this.#fail('createThread');
    const ref = { channel, thread: `${this.id}-thread-${this.#next++}` };
    this.threads.push({ channel, conversation, ref });
    return ref;
  }

  async post(thread: ThreadRef, post: TeamPost): Promise<PostRef> {
    this.#fail('post');
    // As on the real platforms: a Slack reply lives in the channel, a Discord message in the thread channel.
    const ref = { channel: this.id === 'slack' ? thread.channel : thread.thread, id: `${this.id}-msg-${this.#next++}` };
    this.posts.push({ thread, post, ref });
    return ref;
  }

  async mark(thread: ThreadRef, message: PostRef, mark: Mark, reason?: string): Promise<void> {
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

  #fail(method: 'createThread' | 'post' | 'mark'): void {
    const error = this.failNext[method];
    if (error) {
      delete this.failNext[method];
      throw error;
    }
  }
}

/** The phone side in memory. */
export class FakePhoneBridge implements PhoneBridge {
  readonly id = 'imessage' as const;
  readonly maxAttachmentBytes = 1_000_000;
  readonly sends: { conversation: ConversationKey; message: PhoneMessage; outboxId: string }[] = [];
  readonly tapbacks: { conversation: ConversationKey; messageId: string; tapback: string }[] = [];
  failNextSend: Error | undefined;
  #next = 1;

  async start(_ingest: IngestFn): Promise<void> {}
  async stop(): Promise<void> {}
  state(): BridgeState {
    return 'connected';
  }

  async send(conversation: ConversationKey, message: PhoneMessage): Promise<{ outboxId: string }> {
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
