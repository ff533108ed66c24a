import { Routes, type RawFile, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { PostRef, ThreadRef } from '../../src/core/bridge.js';
import { RateLimitedError } from '../../src/core/errors.js';
import type { ReconcileVerdict, SendQueues } from '../../src/queue/send-queue-types.js';
import { channelDestination, restDestination } from './destinations.js';
import { nonceOf } from './ids.js';
import { callDiscord, discordCodes, isDiscordCode, translateDiscordError } from './rest.js';
import type { ChannelWebhook, ChannelWebhooks } from './webhooks.js';

/** Nothing a bridge post contains may ping anyone. */
export const noMentions = { parse: [] } as const;

/** A 429 longer than a thread's 5-second window is the webhook's per-minute budget: post as the bot instead. */
const webhookBudgetWaitMs = 5_000;

export interface SendDeps {
  readonly rest: REST;
  readonly queues: SendQueues;
  readonly log: Logger;
  readonly webhooks: ChannelWebhooks;
  readonly botId: () => string;
  /** True when a Discord message id already stands for another bridged message (so it cannot be this one). */
  readonly isLinked: (messageId: string) => boolean;
}

/** Who a post speaks for: a webhook shows the name and avatar; a bot post carries the name in `prefix`. */
export interface Speaker {
  readonly username: string;
  readonly avatarUrl?: string;
  /** Escaped markdown put before the text of a bot post. */
  readonly prefix: string;
}

/** One message to post: escaped content (may be empty when files carry it) and files. */
export interface Part {
  readonly content: string;
  readonly files: readonly RawFile[];
}

/** A message as the REST API returns it (the fields the bridge reads). */
export interface WireMessage {
  id: string;
  content: string;
  author: { id: string };
  webhook_id?: string;
  attachments?: { filename: string }[];
}

/**
 * Posts one part into a thread, through the channel's webhook when there is one and its budget allows (the
 * speaker's name and avatar show), else as the bot with the name in the text and an enforced nonce. Both share
 * the thread's send queue, as they share its 5-per-5-seconds limit. `allowed_mentions: { parse: [] }` always.
 */
export async function sendPart(
  deps: SendDeps,
  thread: ThreadRef,
  part: Part,
  speaker: Speaker | undefined,
  nonce: { key: string; index: number },
): Promise<PostRef> {
  const hook = speaker ? await deps.webhooks.get(thread.channel) : undefined;
  const label = hook ? 'POST thread message (webhook)' : 'POST thread message';
  const message = await deps.queues.enqueue(channelDestination(thread.thread), {
    label,
    run: async () => {
      if (hook && speaker && deps.webhooks.takeExecution(thread.channel)) {
        try {
          return await executeWebhook(deps.rest, hook, thread, part, speaker);
        } catch (error) {
          const translated = translateDiscordError(error, label);
          const budgetSpent =
            translated instanceof RateLimitedError && (translated.retryAfterMs ?? 0) > webhookBudgetWaitMs;
          if (budgetSpent) deps.webhooks.exhaust(thread.channel, translated.retryAfterMs ?? 60_000);
          else if (isDiscordCode(translated, discordCodes.unknownWebhook)) deps.webhooks.forget(thread.channel);
          else throw translated;
        }
      }
      try {
        return await postAsBot(deps.rest, thread, part, speaker, nonceOf(nonce.key, nonce.index));
      } catch (error) {
        throw translateDiscordError(error, 'POST thread message', true);
      }
    },
    // Only a webhook execution can end unknown (a bot post's nonce makes its retry safe).
    reconcile: () => findExisting(deps, thread, part, speaker, hook),
  });
  return { channel: thread.thread, id: message.id };
}

function withFiles(body: Record<string, unknown>, part: Part): Record<string, unknown> {
  return part.files.length === 0
    ? body
    : { ...body, attachments: part.files.map((file, index) => ({ id: index, filename: file.name })) };
}

async function executeWebhook(
  rest: REST,
  hook: ChannelWebhook,
  thread: ThreadRef,
  part: Part,
  speaker: Speaker,
): Promise<WireMessage> {
  const body = withFiles(
    {
      ...(part.content ? { content: part.content } : {}),
      username: speaker.username,
      ...(speaker.avatarUrl ? { avatar_url: speaker.avatarUrl } : {}),
      allowed_mentions: noMentions,
    },
    part,
  );
  return (await rest.post(Routes.webhook(hook.id, hook.token), {
    body,
    files: [...part.files],
    query: new URLSearchParams({ wait: 'true', thread_id: thread.thread }),
    auth: false,
  })) as WireMessage;
}

async function postAsBot(
  rest: REST,
  thread: ThreadRef,
  part: Part,
  speaker: Speaker | undefined,
  nonce: string,
): Promise<WireMessage> {
  const content = botContent(part, speaker);
  const body = withFiles(
    {
      ...(content ? { content } : {}),
      allowed_mentions: noMentions,
      nonce,
      enforce_nonce: true,
    },
    part,
  );
  return (await rest.post(Routes.channelMessages(thread.thread), { body, files: [...part.files] })) as WireMessage;
}

function botContent(part: Part, speaker: Speaker | undefined): string {
  if (!speaker) return part.content;
  return `${speaker.prefix}${part.content}`.trimEnd();
}

/** The thread's latest messages (newest first), to recognise posts made before a crash. */
export async function recentMessages(deps: SendDeps, thread: ThreadRef): Promise<WireMessage[]> {
  return (await callDiscord(
    deps.queues,
    restDestination,
    'GET thread messages',
    () => deps.rest.get(Routes.channelMessages(thread.thread), { query: new URLSearchParams({ limit: '50' }) }),
    { idempotent: true },
  )) as WireMessage[];
}

/**
 * A message of ours in `recent` that is this part. Discord has no message metadata and returns no nonce when
 * listing, and webhooks take no nonce at all: a post is recognised by its author (the bot or our webhook), its
 * content (with or without the bot's name prefix) and its file names, skipping messages that already stand
 * for another bridged message (`excluded`), so a repeated "ok" is not mistaken for an earlier one. Only the
 * thread's last 50 messages are searched, which covers a restart's worth of traffic in one conversation.
 */
export function matchPosted(
  recent: readonly WireMessage[],
  part: Part,
  speaker: Speaker | undefined,
  botId: string,
  excluded: (id: string) => boolean = () => false,
): WireMessage | undefined {
  const contents = new Set([part.content.trim(), botContent(part, speaker)]);
  const names = part.files.map((file) => file.name.replace(/\s+/g, '_'));
  return recent.find(
    (message) =>
      !excluded(message.id) &&
      (message.author.id === botId || message.webhook_id !== undefined) &&
      contents.has(message.content.trim()) &&
      (message.attachments ?? []).length === names.length &&
      (message.attachments ?? []).every((attachment, index) => attachment.filename === names[index]),
  );
}

async function findExisting(
  deps: SendDeps,
  thread: ThreadRef,
  part: Part,
  speaker: Speaker | undefined,
  hook: ChannelWebhook | undefined,
): Promise<ReconcileVerdict<WireMessage>> {
  const recent = await recentMessages(deps, thread);
  const found = matchPosted(recent, part, speaker, deps.botId(), deps.isLinked);
  if (found && (found.webhook_id === undefined || found.webhook_id === hook?.id)) {
    return { outcome: 'applied', value: found };
  }
  return { outcome: 'not-applied' };
}
