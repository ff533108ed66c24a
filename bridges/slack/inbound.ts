import { z } from 'zod';
import type { Attachment, BridgeEvent, Ingress, MessageId, ThreadId } from '../../src/core/model.js';
import { slackNameToEmoji } from '../../src/core/reactions.js';

/** Who the bridge is on Slack, to recognise its own echoes (bolt's ignoreSelf misses edits and deletes). */
export interface SlackSelf {
  readonly botUserId: string;
  readonly botId: string;
}

const fileSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private_download: z.string().nullish(),
  url_private: z.string().nullish(),
});

const messageSchema = z.looseObject({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(fileSchema).optional(),
  message: z
    .looseObject({
      user: z.string().optional(),
      bot_id: z.string().optional(),
      text: z.string().optional(),
      ts: z.string(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  previous_message: z
    .looseObject({
      user: z.string().optional(),
      bot_id: z.string().optional(),
      ts: z.string(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  deleted_ts: z.string().optional(),
});

const reactionSchema = z.looseObject({
  type: z.enum(['reaction_added', 'reaction_removed']),
  user: z.string(),
  reaction: z.string(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
  event_ts: z.string().optional(),
});

/** Subtypes that are a person writing something new; everything else (joins, bot posts, topic changes…) is not. */
const humanSubtypes = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * A Slack event → the core's event, or undefined when it is not something to bridge: the bot's own
 * posts, edits and deletions, other bots, top-level channel chatter, and non-message subtypes.
 * `text` is still Slack markup here; the bridge renders it to plain text before ingesting.
 */
export function toCoreEvent(
  eventId: string,
  raw: unknown,
  self: SlackSelf,
): { ingress: Ingress; markup?: string } | undefined {
  const type = (raw as { type?: unknown } | null)?.type;
  if (type === 'message') return messageEvent(eventId, raw, self);
  if (type === 'reaction_added' || type === 'reaction_removed') return reactionEvent(eventId, raw, self);
  return undefined;
}

function isSelf(self: SlackSelf, who: { user?: string | undefined; bot_id?: string | undefined } | undefined): boolean {
  return !!who && (who.user === self.botUserId || (who.bot_id !== undefined && who.bot_id !== ''));
}

function messageEvent(eventId: string, raw: unknown, self: SlackSelf) {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  const key = (ts: string) => `slack:message:${message.channel}:${ts}`;
  if (message.subtype === 'message_changed' && message.message) {
    const edited = message.message;
    if (isSelf(self, edited) || !edited.thread_ts || edited.thread_ts === edited.ts || !edited.user) return undefined;
    return {
      ingress: {
        dedupeKey: `slack:event:${eventId}`,
        event: {
          kind: 'edit',
          origin: {
            bridge: 'slack',
            messageId: id(edited.ts),
            channel: message.channel,
            thread: thread(edited.thread_ts),
          },
          author: { id: edited.user },
          sentAt: tsToMs(message.ts),
          target: id(edited.ts),
          text: edited.text ?? '',
        } satisfies BridgeEvent,
      },
    };
  }
  if (message.subtype === 'message_deleted') {
    const previous = message.previous_message;
    const deleted = message.deleted_ts ?? previous?.ts;
    if (!deleted || isSelf(self, previous) || !previous?.user) return undefined;
    return {
      ingress: {
        dedupeKey: `slack:event:${eventId}`,
        event: {
          kind: 'delete',
          origin: { bridge: 'slack', messageId: id(deleted), channel: message.channel },
          author: { id: previous.user },
          target: id(deleted),
        } satisfies BridgeEvent,
      },
    };
  }
  if (!humanSubtypes.has(message.subtype) || isSelf(self, message) || !message.user) return undefined;
  // Only replies inside a thread can belong to a conversation; the router checks which thread.
  if (!message.thread_ts || message.thread_ts === message.ts) return undefined;
  return {
    markup: message.text ?? '',
    ingress: {
      dedupeKey: `slack:event:${eventId}`,
      effectKey: key(message.ts),
      event: {
        kind: 'message',
        origin: {
          bridge: 'slack',
          messageId: id(message.ts),
          channel: message.channel,
          thread: thread(message.thread_ts),
        },
        author: { id: message.user },
        sentAt: tsToMs(message.ts),
        text: message.text ?? '',
        attachments: (message.files ?? []).flatMap(toAttachment),
      } satisfies BridgeEvent,
    },
  };
}

function reactionEvent(eventId: string, raw: unknown, self: SlackSelf) {
  const parsed = reactionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const reaction = parsed.data;
  if (
    reaction.user === self.botUserId ||
    reaction.item.type !== 'message' ||
    !reaction.item.channel ||
    !reaction.item.ts
  ) {
    return undefined;
  }
  return {
    ingress: {
      dedupeKey: `slack:event:${eventId}`,
      event: {
        kind: 'reaction',
        origin: {
          bridge: 'slack',
          messageId: id(`${reaction.item.ts}:${reaction.reaction}`),
          channel: reaction.item.channel,
        },
        author: { id: reaction.user },
        sentAt: reaction.event_ts ? tsToMs(reaction.event_ts) : 0,
        target: id(reaction.item.ts),
        emoji: slackNameToEmoji(reaction.reaction) ?? `:${reaction.reaction}:`,
        removed: reaction.type === 'reaction_removed',
      } satisfies BridgeEvent,
    },
  };
}

function toAttachment(file: z.infer<typeof fileSchema>): Attachment[] {
  const url = file.url_private_download ?? file.url_private;
  if (!url) return [];
  return [
    {
      name: file.name ?? file.id,
      mimeType: file.mimetype ?? 'application/octet-stream',
      ref: url,
      ...(file.size != null ? { size: file.size } : {}),
    },
  ];
}

/** Slack `ts` ("1700000000.000123") → Unix ms. */
export function tsToMs(ts: string): number {
  return Math.round(Number(ts) * 1000);
}

function id(ts: string): MessageId {
  return ts as MessageId;
}

function thread(ts: string): ThreadId {
  return ts as ThreadId;
}
