import { ChannelType, Routes, type RawFile } from 'discord.js';
import type { Attachment } from '../../src/core/model.js';
import type { ConversationInfo, PostRef, TeamPost, ThreadRef } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';
import { splitText } from '../../src/core/split-text.js';
import type { ReconcileVerdict } from '../../src/queue/send-queue-types.js';
import { channelDestination, restDestination } from './destinations.js';
import { readAll, tooLarge } from '../../src/core/attachment-download.js';
import { escapeDiscordMarkdown } from './format.js';
import { snowflakeTime, threadName, webhookUsername } from './ids.js';
import { callDiscord } from './rest.js';
import {
  matchPosted,
  noMentions,
  recentMessages,
  sendPart,
  type Part,
  type SendDeps,
  type Speaker,
  type WireMessage,
} from './send.js';

export interface DiscordOutboundDeps extends SendDeps {
  /** The route channel's type, learned at start-up; undefined when it was not checked. */
  readonly channelType: (channel: string) => 'text' | 'forum' | undefined;
  /** The guild of a route channel, when discord.js has it cached. */
  readonly guildOf: (channel: string) => string | undefined;
  readonly maxAttachmentBytes: number;
}

/** Discord's limit per message. */
export const maxMessageLength = 2_000;
/** The longest auto-archive Discord allows (a week): quiet conversations stay visible. */
const autoArchiveMinutes = 10_080;
/** Discord takes at most 10 files per message. */
const maxFilesPerMessage = 10;

/**
 * The conversation's thread under `channel`: a public thread in a text channel, a post in a forum channel
 * (whose first message describes the conversation, as Slack's root does). Queued on the parent channel, as
 * both put a message there (the "started a thread" notice, or the post).
 */
export async function createDiscordThread(
  deps: DiscordOutboundDeps,
  channel: string,
  info: ConversationInfo,
  options: { readonly replay: boolean },
): Promise<ThreadRef> {
  const name = threadName(info);
  if (options.replay) {
    // A crash may have come after Discord made the thread: the bot's thread of that name stands for it.
    const found = await findCreatedThread(deps, channel, name, 0);
    if (found.outcome === 'applied') return { channel, thread: found.value.id };
  }
  const type = deps.channelType(channel) ?? (await fetchChannelType(deps, channel));
  const body =
    type === 'forum'
      ? {
          name,
          auto_archive_duration: autoArchiveMinutes,
          message: { content: rootText(info), allowed_mentions: noMentions },
        }
      : { name, auto_archive_duration: autoArchiveMinutes, type: ChannelType.PublicThread };
  const startedAt = Date.now();
  const created = await callDiscord(
    deps.queues,
    channelDestination(channel),
    `POST ${type} thread`,
    async () => (await deps.rest.post(Routes.threads(channel), { body })) as WireThread,
    { reconcile: () => findCreatedThread(deps, channel, name, startedAt) },
  );
  return { channel, thread: created.id };
}

interface WireThread {
  id: string;
  parent_id?: string | null;
  owner_id?: string;
  name?: string;
}

/** After a cut-off create: the thread of this name the bot opened under `channel` since the call started. */
async function findCreatedThread(
  deps: DiscordOutboundDeps,
  channel: string,
  name: string,
  startedAt: number,
): Promise<ReconcileVerdict<WireThread>> {
  const guild = deps.guildOf(channel);
  if (!guild) return { outcome: 'unknown' };
  const active = (await callDiscord(
    deps.queues,
    restDestination,
    'GET active threads',
    () => deps.rest.get(Routes.guildActiveThreads(guild)),
    { idempotent: true },
  )) as { threads: WireThread[] };
  const found = active.threads.find(
    (thread) =>
      thread.parent_id === channel &&
      thread.name === name &&
      thread.owner_id === deps.botId() &&
      snowflakeTime(thread.id) >= startedAt - 5_000,
  );
  return found ? { outcome: 'applied', value: found } : { outcome: 'not-applied' };
}

async function fetchChannelType(deps: DiscordOutboundDeps, channel: string): Promise<'text' | 'forum'> {
  const found = (await callDiscord(
    deps.queues,
    restDestination,
    'GET channel',
    () => deps.rest.get(Routes.channel(channel)),
    { idempotent: true },
  )) as { type: ChannelType };
  return found.type === ChannelType.GuildForum ? 'forum' : 'text';
}

/** A forum post's first message: who the contact is, which line they wrote to, how to answer. */
export function rootText(info: ConversationInfo): string {
  const who = info.isGroup
    ? `👥 **${escapeDiscordMarkdown(info.displayName ?? 'Group chat')}** (${info.participants.map(escapeDiscordMarkdown).join(', ')})`
    : `📱 **${escapeDiscordMarkdown(info.displayName ?? info.participants[0] ?? info.key.chat)}**${info.displayName && info.participants[0] ? ` (${escapeDiscordMarkdown(info.participants[0])})` : ''}`;
  return `${who} texting ${escapeDiscordMarkdown(info.key.line)}\nReply in this post to text back; start a message with // to keep it internal.`;
}

/**
 * Posts into a thread: the text (escaped, split into parts of at most 2,000 characters, in order), then the
 * attachments (several per message, up to the upload limit); a file that cannot be shown becomes a note,
 * never a silent drop. Returns the first message posted.
 */
export async function postToDiscord(deps: DiscordOutboundDeps, thread: ThreadRef, post: TeamPost): Promise<PostRef> {
  const speaker = speakerOf(post);
  const recent = post.replay ? await recentMessages(deps, thread) : undefined;
  const taken = new Set<string>();
  let first: PostRef | undefined;
  let index = 0;
  const send = async (part: Part, who: Speaker | undefined): Promise<void> => {
    const nonce = { key: post.idempotencyKey, index: index++ };
    const existing = recent && matchPosted(recent, part, who, deps.botId(), (id) => taken.has(id) || deps.isLinked(id));
    if (existing) taken.add(existing.id);
    const ref = existing ? { channel: thread.thread, id: existing.id } : await sendPart(deps, thread, part, who, nonce);
    first ??= ref;
  };
  const notes: string[] = [];
  const groups = fileGroups(post.attachments, deps.maxAttachmentBytes);
  const texts = textParts(post, speaker);
  for (const [at, group] of groups.entries()) {
    const files: RawFile[] = [];
    for (const attachment of group) {
      try {
        files.push(await openFile(deps, post, attachment));
      } catch (error) {
        notes.push(noteFor(attachment, error));
      }
    }
    // The first files ride with the last part of the text: one message less against the thread's 5 per 5 s.
    const content = at === 0 ? (texts.pop() ?? '') : '';
    if (at === 0) for (const text of texts) await send({ content: text, files: [] }, speaker);
    if (files.length === 0) {
      if (content) await send({ content, files: [] }, speaker);
      continue;
    }
    try {
      await send({ content, files }, speaker);
    } catch (error) {
      for (const attachment of group) notes.push(noteFor(attachment, error));
      if (content) await send({ content, files: [] }, speaker);
    }
  }
  if (groups.length === 0) for (const content of texts) await send({ content, files: [] }, speaker);
  for (const note of notes) await send({ content: `⚠️ ${note}`, files: [] }, undefined);
  if (!first) await send({ content: '(empty message)', files: [] }, speaker);
  return first ?? { channel: thread.thread, id: thread.thread };
}

/** A non-retryable failure of one file becomes a note; anything that may pass is thrown to be retried. */
function noteFor(attachment: Attachment, error: unknown): string {
  if (!(error instanceof BridgeError) || error.retryable) throw error;
  const reason = error.code === 'too_large' ? `it is too large for Discord (${error.message})` : error.message;
  return `📎 ${escapeDiscordMarkdown(attachment.name)} could not be shown here: ${escapeDiscordMarkdown(reason)}`;
}

async function openFile(deps: DiscordOutboundDeps, post: TeamPost, attachment: Attachment): Promise<RawFile> {
  if (attachment.size !== undefined && attachment.size > deps.maxAttachmentBytes) {
    throw tooLarge(attachment.name, attachment.size, deps.maxAttachmentBytes);
  }
  const data = await readAll(await post.openAttachment(attachment, deps.maxAttachmentBytes));
  return { name: attachment.name, data, contentType: attachment.mimeType };
}

/** Files in upload order, grouped up to 10 per message and the upload limit per message (unknown sizes alone). */
function fileGroups(attachments: readonly Attachment[], limit: number): Attachment[][] {
  const groups: Attachment[][] = [];
  let current: Attachment[] = [];
  let bytes = 0;
  for (const attachment of attachments) {
    const size = attachment.size ?? limit;
    if (current.length > 0 && (current.length >= maxFilesPerMessage || bytes + size > limit)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(attachment);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function speakerOf(post: TeamPost): Speaker {
  const name = post.author.name ?? post.author.id;
  switch (post.voice) {
    case 'customer':
      return {
        username: webhookUsername(name),
        ...(post.author.avatarUrl ? { avatarUrl: post.author.avatarUrl } : {}),
        prefix: `**${escapeDiscordMarkdown(name)}:** `,
      };
    case 'line':
      return { username: 'Sent from the line', prefix: '**Sent from the line:** ' };
    case 'team':
      return { username: webhookUsername(`${name} (team)`), prefix: `**${escapeDiscordMarkdown(name)} (team):** ` };
  }
}

/**
 * The text as escaped parts that each fit one message even with the bot's name prefix. Escaping can lengthen
 * a part (a backslash per marker), so a part that grows past the limit is split again, smaller.
 */
export function textParts(post: Pick<TeamPost, 'text' | 'attachments'>, speaker: Pick<Speaker, 'prefix'>): string[] {
  const memo = post.attachments.find((attachment) => attachment.voiceMemo);
  const transcript = memo
    ? `\n🎤 *Voice memo*${memo.transcript ? `: “${escapeDiscordMarkdown(memo.transcript)}”` : ''}`
    : '';
  const budget = maxMessageLength - speaker.prefix.length;
  const parts = post.text.trim() ? escapedParts(post.text, budget) : [];
  if (!transcript) return parts;
  const last = parts.at(-1);
  if (last !== undefined && last.length + transcript.length <= budget)
    return [...parts.slice(0, -1), last + transcript];
  return [...parts, transcript.trim()];
}

function escapedParts(text: string, budget: number, max = budget): string[] {
  return splitText(text, max).flatMap((raw) => {
    const escaped = escapeDiscordMarkdown(raw);
    if (escaped.length <= budget) return [escaped];
    return escapedParts(raw, budget, Math.max(2, Math.floor((raw.length * budget) / escaped.length) - 1));
  });
}

export type { WireMessage };
