import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ConversationInfo, Mark, PostRef, TeamPost, ThreadRef } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import { emojiToSlackName } from '../../src/core/reactions.js';
import { splitText } from '../../src/core/split-text.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { readAll, tooLarge } from '../../src/core/attachment-download.js';
import { escapeMrkdwn } from './format.js';
import { callSlack, postDestination, SlackPlatformError, webDestination } from './web.js';

export interface SlackOutboundDeps {
  readonly client: WebClient;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly maxAttachmentBytes: number;
  /** Slack emoji names (without colons) of the marks. */
  readonly marks: Readonly<Record<Mark, string>>;
  /** Learned at run time: the app lacks chat:write.customize, so names go into the text. */
  readonly learned: { customizeRefused: boolean };
}

/** Slack takes 40,000 characters per message; parts stay well under it. */
const maxTextLength = 39_000;

/** The root message of a conversation's thread: who the contact is and which line they wrote to. */
export async function createSlackThread(
  deps: SlackOutboundDeps,
  channel: string,
  info: ConversationInfo,
): Promise<ThreadRef> {
  const result = await callSlack(deps.queues, postDestination(channel), 'chat.postMessage (thread root)', () =>
    deps.client.chat.postMessage({
      channel,
      text: rootText(info),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: 'threadline_conversation', event_payload: { line: info.key.line, chat: info.key.chat } },
    }),
  );
  return { channel, thread: String(result.ts) };
}

export function rootText(info: ConversationInfo): string {
  const who = info.isGroup
    ? `👥 *${escapeMrkdwn(info.displayName ?? 'Group chat')}* (${info.participants.map(escapeMrkdwn).join(', ')})`
    : `📱 *${escapeMrkdwn(info.displayName ?? info.participants[0] ?? info.key.chat)}*${info.displayName && info.participants[0] ? ` (${escapeMrkdwn(info.participants[0])})` : ''}`;
  return `${who} texting ${escapeMrkdwn(info.key.line)}\nReply in this thread to text back; start a message with // to keep it internal.`;
}

/** Posts into a thread: the text (split if huge), then each attachment; returns the first message. */
export async function postToSlack(deps: SlackOutboundDeps, thread: ThreadRef, post: TeamPost): Promise<PostRef> {
  if (post.replay) {
    const existing = await findPosted(deps, thread, post.idempotencyKey);
    if (existing) return existing;
  }
  const speaker = speakerOf(post);
  const text = transcriptOf(post) ? `${escapeMrkdwn(post.text)}${transcriptOf(post)}` : escapeMrkdwn(post.text);
  let first: PostRef | undefined;
  const notes: string[] = [];
  for (const part of text.trim() ? splitText(text, maxTextLength) : []) {
    const ref = await postMessage(deps, thread, part, speaker, post.idempotencyKey);
    first ??= ref;
  }
  for (const attachment of post.attachments) {
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
  for (const note of notes) {
    const ref = await postMessage(deps, thread, `⚠️ ${note}`, undefined, `${post.idempotencyKey}:note`);
    first ??= ref;
  }
  if (!first) first = await postMessage(deps, thread, '(empty message)', speaker, post.idempotencyKey);
  return first;
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
    await postMessage(
      deps,
      thread,
      `⚠️ Not delivered to the customer: ${escapeMrkdwn(reason)}`,
      undefined,
      `mark:${message.id}`,
    );
  }
}

/** An ephemeral message only `user` sees, in the thread. */
export async function tellOnSlack(
  deps: SlackOutboundDeps,
  thread: ThreadRef,
  user: string,
  text: string,
): Promise<void> {
  await callSlack(deps.queues, webDestination, 'chat.postEphemeral', () =>
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
  await callSlack(deps.queues, webDestination, 'chat.postEphemeral', () =>
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
    await callSlack(deps.queues, webDestination, removed ? 'reactions.remove' : 'reactions.add', () =>
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
  key: string,
): Promise<PostRef> {
  const send = (customize: boolean) =>
    callSlack(deps.queues, postDestination(thread.channel), 'chat.postMessage', () =>
      deps.client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.thread,
        text: speaker && !customize ? `${speaker.prefix}${text}` : text,
        ...(speaker && customize && speaker.username ? { username: speaker.username } : {}),
        ...(speaker && customize && speaker.iconUrl ? { icon_url: speaker.iconUrl } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: 'threadline_message', event_payload: { key } },
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
  return { channel: thread.channel, id: String(result.ts) };
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

/** After a restart: the message carrying this key in its metadata, if it was posted before the crash. */
async function findPosted(deps: SlackOutboundDeps, thread: ThreadRef, key: string): Promise<PostRef | undefined> {
  const result = await callSlack(
    deps.queues,
    webDestination,
    'conversations.replies',
    () =>
      deps.client.conversations.replies({
        channel: thread.channel,
        ts: thread.thread,
        include_all_metadata: true,
        limit: 200,
      }),
    { idempotent: true },
  );
  const found = result.messages?.find(
    (message) => (message.metadata?.event_payload as Record<string, unknown> | undefined)?.['key'] === key,
  );
  return found?.ts ? { channel: thread.channel, id: found.ts } : undefined;
}
