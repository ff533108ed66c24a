import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ConversationInfo, CreatedThread, Mark, PostRef, TeamPost, ThreadRef } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import { emojiToSlackName } from '../../src/core/reactions.js';
import { splitText } from '../../src/core/split-text.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { readAll, tooLarge } from '../../src/core/attachment-download.js';
import { escapeMrkdwn } from './format.js';
import { findRoot, partKey, readPosted, type PostedInThread, type PostMetadata } from './posted.js';
import { callSlack, postDestination, SlackPlatformError, methodDestination } from './web.js';
import type { PostMessage } from './post-message.js';

export interface SlackOutboundDeps {
  readonly client: WebClient;
  /** chat.postMessage, the call every text makes (see createPostMessage); the client makes the others. */
  readonly post: PostMessage;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly maxAttachmentBytes: number;
  /** Slack emoji names (without colons) of the marks. */
  readonly marks: Readonly<Record<Mark, string>>;
  /** Learned at run time: the app lacks chat:write.customize, so names go into the text. */
  readonly learned: { customizeRefused: boolean };
  /** Who the bot is, once known (its uploads are recognised by it after a crash). */
  self?: { readonly botUserId: string };
}

/** Slack takes 40,000 characters per message; parts stay well under it. */
const maxTextLength = 39_000;

/**
 * The conversation's thread: a root message in the route's channel naming the contact and the line. When
 * the conversation starts with a post (a customer's first text), the root carries it too, so a burst of new
 * customers costs one post each and their first texts show at the channel's rate. The root's metadata
 * names the conversation (and the post), so a crash mid-creation finds it again instead of making another.
 */
export async function createSlackThread(
  deps: SlackOutboundDeps,
  channel: string,
  info: ConversationInfo,
  options: { readonly first?: TeamPost; readonly replay: boolean },
): Promise<CreatedThread> {
  const first = options.first;
  if (options.replay) {
    const found = await findRoot(deps, channel, info.key);
    if (found) {
      const thread = { channel, thread: found.ts };
      const carried = first && found.first?.key === first.idempotencyKey;
      if (carried) await postRest(deps, thread, first, { channel, id: found.ts });
      return { thread, ...(carried ? { first: { channel, id: found.ts } } : {}) };
    }
  }
  const speaker = first && speakerOf(first);
  const body =
    first && (textParts(first)[0] ?? first.attachments.map((file) => `📎 ${escapeMrkdwn(file.name)}`).join(' '));
  const root = await chatPost(deps, channel, undefined, speaker, {
    label: 'chat.postMessage (thread root)',
    text: (customize) =>
      [rootHeader(info), ...(body ? [`${speaker && !customize ? speaker.prefix : ''}${body}`] : []), rootHint].join(
        '\n',
      ),
    metadata: {
      event_type: 'threadline_conversation',
      event_payload: {
        line: info.key.line,
        chat: info.key.chat,
        ...(first ? { key: first.idempotencyKey, part: 0 } : {}),
      },
    },
  });
  const thread = { channel, thread: root.id };
  if (!first) return { thread };
  await postRest(deps, thread, first, root);
  return { thread, first: root };
}

const rootHint = '_Reply in this thread to text back; start a message with // to keep it internal._';

/** Who the contact is and which line they wrote to: the root's first line. */
export function rootHeader(info: ConversationInfo): string {
  const who = info.isGroup
    ? `👥 *${escapeMrkdwn(info.displayName ?? 'Group chat')}* (${info.participants.map(escapeMrkdwn).join(', ')})`
    : `📱 *${escapeMrkdwn(info.displayName ?? info.participants[0] ?? info.key.chat)}*${info.displayName && info.participants[0] ? ` (${escapeMrkdwn(info.participants[0])})` : ''}`;
  return `${who} texting ${escapeMrkdwn(info.key.line)}`;
}

/** The root of a conversation that starts without a post (a `/text` command, or a reaction first). */
export function rootText(info: ConversationInfo): string {
  return `${rootHeader(info)}\n${rootHint}`;
}

/** Posts into a thread: the text (split if huge), then each attachment; returns the first message. */
export async function postToSlack(deps: SlackOutboundDeps, thread: ThreadRef, post: TeamPost): Promise<PostRef> {
  return postParts(deps, thread, post, undefined);
}

/** Posts what the root could not carry: further text parts, the attachments, and notes about them. */
async function postRest(deps: SlackOutboundDeps, thread: ThreadRef, post: TeamPost, root: PostRef): Promise<void> {
  await postParts(deps, thread, post, root);
}

/**
 * Posts a post's parts in order, each carrying `{ key, part }` metadata. With `replay` the thread is read
 * once first and parts already there are skipped (their address is reused), so a post cut short by a
 * crash resumes where it stopped. `root`: part 0 is already posted as the thread's root.
 */
async function postParts(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  post: TeamPost,
  root: PostRef | undefined,
): Promise<PostRef> {
  const posted = post.replay ? await readPosted(deps, thread) : undefined;
  const speaker = speakerOf(post);
  const key = post.idempotencyKey;
  let first: PostRef | undefined = root;
  for (const [part, text] of textParts(post).entries()) {
    if (part === 0 && root) continue;
    const meta = { key, part };
    const ref = postedRef(posted, thread, meta) ?? (await postMessage(deps, thread, text, speaker, meta));
    first ??= ref;
  }
  const notes: string[] = [];
  const usedFiles = new Set<string>();
  for (const attachment of post.attachments) {
    // Uploads carry no metadata: a file of the same name the bot posted in the thread stands for it.
    const already = posted?.files.get(attachment.name)?.find((ts) => !usedFiles.has(ts));
    if (already) {
      usedFiles.add(already);
      first ??= { channel: thread.channel, id: already };
      continue;
    }
    try {
      if (attachment.size !== undefined && attachment.size > deps.maxAttachmentBytes) {
        throw tooLarge(attachment.name, attachment.size, deps.maxAttachmentBytes);
      }
      const body = await post.openAttachment(attachment, deps.maxAttachmentBytes);
      const bytes = await readAll(body);
      const ref = await uploadFile(
        deps,
        thread,
        attachment.name,
        bytes,
        first ? undefined : `${speaker.prefix}📎 ${escapeMrkdwn(attachment.name)}`,
      );
      first ??= ref;
    } catch (error) {
      if (!(error instanceof BridgeError) || error.retryable) throw error;
      notes.push(`📎 ${escapeMrkdwn(attachment.name)} could not be shown here: ${escapeMrkdwn(error.message)}`);
    }
  }
  for (const [index, note] of notes.entries()) {
    const noteKey = { key: `${key}:note`, part: index };
    const ref =
      postedRef(posted, thread, noteKey) ?? (await postMessage(deps, thread, `⚠️ ${note}`, undefined, noteKey));
    first ??= ref;
  }
  if (!first) {
    const meta = { key, part: 0 };
    first = postedRef(posted, thread, meta) ?? (await postMessage(deps, thread, '(empty message)', speaker, meta));
  }
  return first;
}

/** The message already carrying this part, found by a reconcile read. */
function postedRef(posted: PostedInThread | undefined, thread: ThreadRef, meta: PostMetadata): PostRef | undefined {
  const ts = posted?.parts.get(partKey(meta.key, meta.part));
  return ts ? { channel: thread.channel, id: ts } : undefined;
}

/** The post's text as escaped parts that fit a message (with a voice memo's transcript at the end). */
function textParts(post: TeamPost): string[] {
  const transcript = transcriptOf(post);
  const text = transcript ? `${escapeMrkdwn(post.text)}${transcript}` : escapeMrkdwn(post.text);
  return text.trim() ? splitText(text, maxTextLength) : [];
}

/** A notice from Threadline in a thread (⚠️ something failed for good), idempotent by `key`. */
export async function noticeOnSlack(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  text: string,
  key: string,
  replay: boolean,
): Promise<PostRef> {
  const meta = { key, part: 0 };
  const found = replay ? postedRef(await readPosted(deps, thread), thread, meta) : undefined;
  return found ?? postMessage(deps, thread, `⚠️ ${escapeMrkdwn(text)}`, undefined, meta);
}

/** ✅ ⚠️ 📝 on a team member's message; a failure also gets a note in the thread saying why. */
export async function markOnSlack(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  message: PostRef,
  mark: Mark,
  reason?: string,
): Promise<void> {
  await reactOnSlack(deps, message, `:${deps.marks[mark]}:`, false);
  if (mark === 'failed' && reason) {
    await postMessage(deps, thread, `⚠️ Not delivered to the customer: ${escapeMrkdwn(reason)}`, undefined, {
      key: `mark:${message.id}`,
      part: 0,
    });
  }
}

/** An ephemeral message only `user` sees, in the thread. */
export async function tellOnSlack(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  user: string,
  text: string,
): Promise<void> {
  await callSlack(deps.queues, methodDestination('chat.postEphemeral'), 'chat.postEphemeral', () =>
    deps.client.chat.postEphemeral({
      channel: thread.channel,
      user,
      text: escapeMrkdwn(text),
      thread_ts: thread.thread,
    }),
  );
}

/** An ephemeral message only `user` sees, in the channel (answers to commands). */
export async function tellInSlackChannel(
  deps: SlackOutboundDeps,
  channel: string,
  user: string,
  text: string,
): Promise<void> {
  await callSlack(deps.queues, methodDestination('chat.postEphemeral'), 'chat.postEphemeral', () =>
    deps.client.chat.postEphemeral({ channel, user, text: escapeMrkdwn(text) }),
  );
}

/** Adds or removes a reaction; an emoji Slack has no name for is skipped with a debug line. */
export async function reactOnSlack(
  deps: SlackOutboundDeps,
  message: PostRef,
  emoji: string,
  removed: boolean,
): Promise<void> {
  const name = emoji.startsWith(':') && emoji.endsWith(':') ? emoji.slice(1, -1) : emojiToSlackName(emoji);
  if (!name) {
    deps.log.debug({ emoji }, 'No Slack name for emoji; reaction not shown');
    return;
  }
  try {
    const method = removed ? 'reactions.remove' : 'reactions.add';
    await callSlack(deps.queues, methodDestination(method), method, () =>
      removed
        ? deps.client.reactions.remove({ channel: message.channel, timestamp: message.id, name })
        : deps.client.reactions.add({ channel: message.channel, timestamp: message.id, name }),
    );
  } catch (error) {
    // Already there, or already gone: the state we wanted.
    if (
      error instanceof SlackPlatformError &&
      (error.slackCode === 'already_reacted' || error.slackCode === 'no_reaction')
    )
      return;
    throw error;
  }
}

interface Speaker {
  readonly username?: string;
  readonly iconUrl?: string;
  /** Used instead when names cannot be customised. */
  readonly prefix: string;
}

function speakerOf(post: TeamPost): Speaker {
  const name = post.author.name ?? post.author.id;
  switch (post.voice) {
    case 'customer':
      return {
        username: name,
        ...(post.author.avatarUrl ? { iconUrl: post.author.avatarUrl } : {}),
        prefix: `*${escapeMrkdwn(name)}:* `,
      };
    case 'line':
      return { username: 'Sent from the line', prefix: '*Sent from the line:* ' };
    case 'team':
      return { username: `${name} (team)`, prefix: `*${escapeMrkdwn(name)} (team):* ` };
  }
}

function transcriptOf(post: TeamPost): string {
  const memo = post.attachments.find((attachment) => attachment.voiceMemo);
  if (!memo) return '';
  return `\n🎤 _Voice memo_${memo.transcript ? `: “${escapeMrkdwn(memo.transcript)}”` : ''}`;
}

async function postMessage(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  text: string,
  speaker: Speaker | undefined,
  meta: PostMetadata,
): Promise<PostRef> {
  return chatPost(deps, thread.channel, thread.thread, speaker, {
    label: 'chat.postMessage',
    text: (customize) => (speaker && !customize ? `${speaker.prefix}${text}` : text),
    metadata: { event_type: 'threadline_message', event_payload: { key: meta.key, part: meta.part } },
  });
}

/**
 * One chat.postMessage on the channel's queue, under the speaker's name and avatar when the app may
 * customise them; without chat:write.customize (learned from the first refusal) the name goes in the text.
 */
async function chatPost(
  deps: SlackOutboundDeps,
  channel: string,
  threadTs: string | undefined,
  speaker: Speaker | undefined,
  message: {
    readonly label: string;
    readonly text: (customize: boolean) => string;
    readonly metadata: { event_type: string; event_payload: Record<string, string | number> };
  },
): Promise<PostRef> {
  const send = (customize: boolean) =>
    callSlack(deps.queues, postDestination(channel), message.label, () =>
      deps.post({
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: message.text(customize),
        ...(speaker && customize && speaker.username ? { username: speaker.username } : {}),
        ...(speaker && customize && speaker.iconUrl ? { icon_url: speaker.iconUrl } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: message.metadata,
      }),
    );
  let result;
  try {
    result = await send(speaker !== undefined && !deps.learned.customizeRefused);
  } catch (error) {
    if (
      !(error instanceof SlackPlatformError) ||
      error.slackCode !== 'missing_scope' ||
      !speaker ||
      deps.learned.customizeRefused
    )
      throw error;
    deps.learned.customizeRefused = true;
    deps.log.warn('Slack app lacks chat:write.customize; posting customer names as text instead');
    result = await send(false);
  }
  return { channel, id: result.ts };
}

async function uploadFile(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  filename: string,
  bytes: Buffer,
  comment: string | undefined,
): Promise<PostRef> {
  const result = await callSlack(deps.queues, postDestination(thread.channel), 'files.uploadV2', () =>
    deps.client.files.uploadV2({
      channel_id: thread.channel,
      thread_ts: thread.thread,
      filename,
      file: bytes,
      ...(comment ? { initial_comment: comment } : {}),
    }),
  );
  const ts = shareTs(result, thread.channel);
  return { channel: thread.channel, id: ts ?? thread.thread };
}

/** files.uploadV2 nests the file objects as `files[0].files[0]`; the message ts is under `shares`. */
function shareTs(result: unknown, channel: string): string | undefined {
  const file = (result as { files?: { files?: { shares?: Record<string, Record<string, { ts?: string }[]>> }[] }[] })
    .files?.[0]?.files?.[0];
  const shares = file?.shares;
  return shares?.['public']?.[channel]?.[0]?.ts ?? shares?.['private']?.[channel]?.[0]?.ts;
}
