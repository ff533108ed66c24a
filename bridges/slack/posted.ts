import type { ConversationKey } from '../../src/core/model.js';
import type { SlackOutboundDeps } from './outbound.js';
import { callSlack, methodDestination } from './web.js';

/** Slack metadata on every message Threadline posts: which post (`key`) and which part of it. */
export interface PostMetadata {
  readonly key: string;
  readonly part: number;
}

/** What one read of a thread shows of Threadline's own posts. */
export interface PostedInThread {
  /** `key/part` → ts of the message carrying that metadata. */
  readonly parts: ReadonlyMap<string, string>;
  /** Files the bot posted in the thread: name → ts of each message carrying one. */
  readonly files: ReadonlyMap<string, readonly string[]>;
}

/** The map key of a part. */
export function partKey(key: string, part: number): string {
  return `${key}/${part}`;
}

const maxPages = 10;

/**
 * After a crash or an unclear failure: the thread's messages, read once (a page of 200, a few pages at
 * most), to tell which parts of a post and which files are already there. One read serves every part of
 * the post, so reconciling costs one read per thread however many parts were in flight.
 */
export async function readPosted(
  deps: SlackOutboundDeps,
  thread: { channel: string; thread: string },
): Promise<PostedInThread> {
  const parts = new Map<string, string>();
  const files = new Map<string, string[]>();
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await callSlack(
      deps.queues,
      methodDestination('conversations.replies'),
      'conversations.replies (reconcile)',
      () =>
        deps.client.conversations.replies({
          channel: thread.channel,
          ts: thread.thread,
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        }),
      { idempotent: true },
    );
    for (const message of result.messages ?? []) {
      if (!message.ts) continue;
      const meta = metadataOf(message.metadata?.event_payload);
      if (meta) parts.set(partKey(meta.key, meta.part), message.ts);
      if (message.bot_id !== undefined || message.user === deps.self?.botUserId) {
        for (const file of message.files ?? []) {
          if (!file.name) continue;
          files.set(file.name, [...(files.get(file.name) ?? []), message.ts]);
        }
      }
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return { parts, files };
}

/**
 * After a crash during a thread's creation: the root Threadline posted for this conversation in the
 * channel, if it got there (its metadata names the conversation). Reads the channel's latest page.
 */
export async function findRoot(
  deps: SlackOutboundDeps,
  channel: string,
  key: ConversationKey,
): Promise<{ ts: string; first?: PostMetadata } | undefined> {
  const result = await callSlack(
    deps.queues,
    methodDestination('conversations.history'),
    'conversations.history (reconcile)',
    () => deps.client.conversations.history({ channel, include_all_metadata: true, limit: 200 }),
    { idempotent: true },
  );
  for (const message of result.messages ?? []) {
    const payload = message.metadata?.event_payload as Record<string, unknown> | undefined;
    if (message.metadata?.event_type !== 'threadline_conversation' || !message.ts) continue;
    if (payload?.['line'] !== key.line || payload['chat'] !== key.chat) continue;
    const first = metadataOf(payload);
    return { ts: message.ts, ...(first ? { first } : {}) };
  }
  return undefined;
}

function metadataOf(payload: unknown): PostMetadata | undefined {
  const record = payload as Record<string, unknown> | undefined;
  const key = record?.['key'];
  const part = record?.['part'];
  if (typeof key !== 'string') return undefined;
  return { key, part: typeof part === 'number' ? part : 0 };
}
