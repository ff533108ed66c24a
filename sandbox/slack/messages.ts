import type { SlackSimConfig } from './config.js';
import { newBlockId, newClientMsgId } from './ids.js';
import type { SimChannel, SimFile, SimMessage, SimMessageMetadata } from './types.js';

/** Slack stores some reactions under a canonical name: a `thumbsup` click arrives as `+1`. */
const REACTION_ALIASES: Record<string, string> = { thumbsup: '+1', thumbsdown: '-1' };

export function canonicalReaction(name: string): string {
  const [base = name, ...rest] = name.split('::');
  return [REACTION_ALIASES[base] ?? base, ...rest].join('::');
}

/** `&`, `<` and `>` as Slack's clients escape what a person types (mentions and links are not produced). */
export function escapeSlackText(plain: string): string {
  return plain.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The rich_text block a Slack client attaches to what a person types. */
export function richTextBlocks(text: string): unknown[] {
  return [
    {
      type: 'rich_text',
      block_id: newBlockId(),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

export function botProfile(config: SlackSimConfig, createdSec: number): Record<string, unknown> {
  const icon = 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png';
  return {
    id: config.bot.botId,
    deleted: false,
    name: config.bot.name,
    updated: createdSec,
    app_id: config.bot.appId,
    icons: { image_36: icon, image_48: icon, image_72: icon },
    team_id: config.team.id,
  };
}

export interface HumanMessageInput {
  ts: string;
  user: string;
  text: string;
  teamId: string;
  threadTs?: string;
  parentUserId?: string;
  broadcast?: boolean;
  files?: SimFile[];
}

/** What a person's message looks like (event and history). */
export function buildHumanMessage(input: HumanMessageInput): SimMessage {
  const message: SimMessage = {
    type: 'message',
    ts: input.ts,
    user: input.user,
    text: input.text,
    team: input.teamId,
    client_msg_id: newClientMsgId(),
  };
  if (input.files && input.files.length > 0) {
    message.subtype = 'file_share';
    message.files = input.files.map(wireFile);
    message.upload = false;
    message.display_as_bot = false;
  } else if (input.broadcast && input.threadTs !== undefined) {
    message.subtype = 'thread_broadcast';
  }
  if (input.text !== '') message.blocks = richTextBlocks(input.text);
  if (input.threadTs !== undefined) {
    message.thread_ts = input.threadTs;
    if (input.parentUserId !== undefined) message.parent_user_id = input.parentUserId;
  }
  return message;
}

export interface BotMessageInput {
  ts: string;
  text: string;
  threadTs?: string;
  parentUserId?: string;
  broadcast?: boolean;
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: SimMessageMetadata;
  files?: SimFile[];
}

/**
 * What a post by our bot token looks like. Plain: `user` = bot user, `bot_id`, `app_id`, `bot_profile`, no subtype.
 * With username/icon (chat:write.customize): `subtype: 'bot_message'`, `username`, `icons`, `bot_id`, no `user`.
 */
export function buildBotMessage(config: SlackSimConfig, createdSec: number, input: BotMessageInput): SimMessage {
  const customized = input.username !== undefined || input.iconUrl !== undefined || input.iconEmoji !== undefined;
  const message: SimMessage = { type: 'message', ts: input.ts, text: input.text };
  if (input.files && input.files.length > 0) {
    message.subtype = 'file_share';
  } else if (input.broadcast && input.threadTs !== undefined) {
    message.subtype = 'thread_broadcast';
  } else if (customized) {
    message.subtype = 'bot_message';
  }
  if (customized) {
    message.username = input.username ?? config.bot.name;
    if (input.iconUrl !== undefined) message.icons = { image_48: input.iconUrl };
    else if (input.iconEmoji !== undefined) message.icons = { emoji: input.iconEmoji };
    // A broadcast keeps the bot user so that it stays recognisable as ours.
    if (message.subtype === 'thread_broadcast') message.user = config.bot.userId;
  } else {
    message.user = config.bot.userId;
  }
  message.bot_id = config.bot.botId;
  message.app_id = config.bot.appId;
  if (!customized) {
    message.team = config.team.id;
    message.bot_profile = botProfile(config, createdSec);
  }
  if (input.files && input.files.length > 0) {
    message.files = input.files.map(wireFile);
    message.upload = true;
    message.display_as_bot = false;
  }
  if (input.blocks !== undefined) message.blocks = input.blocks;
  if (input.attachments !== undefined) message.attachments = input.attachments;
  if (input.metadata !== undefined) message.metadata = input.metadata;
  if (input.threadTs !== undefined) {
    message.thread_ts = input.threadTs;
    if (input.parentUserId !== undefined) message.parent_user_id = input.parentUserId;
  }
  return message;
}

/** A file without its bytes: what events, messages and files.info carry. */
export function wireFile(file: SimFile): Omit<SimFile, 'data'> {
  const { data: _data, ...wire } = file;
  return structuredClone(wire);
}

export type MetadataView = 'full' | 'type-only';

/** A deep copy of a stored message for an API answer; `type-only` drops metadata payloads (no include_all_metadata). */
export function wireMessage(message: SimMessage, metadata: MetadataView = 'full'): SimMessage {
  const copy = structuredClone(message);
  if (copy.metadata && metadata === 'type-only') {
    copy.metadata = { event_type: copy.metadata.event_type } as SimMessageMetadata;
  }
  return copy;
}

export function channelType(channel: SimChannel): 'channel' | 'group' {
  return channel.isPrivate ? 'group' : 'channel';
}

/** The Events API `message` event for a new message. */
export function messageEvent(channel: SimChannel, message: SimMessage, root?: SimMessage): Record<string, unknown> {
  const event: Record<string, unknown> = {
    ...wireMessage(message),
    channel: channel.id,
    event_ts: message.ts,
    channel_type: channelType(channel),
  };
  if (message.subtype === 'thread_broadcast' && root) event['root'] = wireMessage(root);
  return event;
}

export function messageChangedEvent(
  channel: SimChannel,
  message: SimMessage,
  previous: SimMessage,
  eventTs: string,
): Record<string, unknown> {
  return {
    type: 'message',
    subtype: 'message_changed',
    message: wireMessage(message),
    previous_message: wireMessage(previous),
    channel: channel.id,
    hidden: true,
    ts: eventTs,
    event_ts: eventTs,
    channel_type: channelType(channel),
  };
}

export function messageDeletedEvent(
  channel: SimChannel,
  previous: SimMessage,
  eventTs: string,
): Record<string, unknown> {
  return {
    type: 'message',
    subtype: 'message_deleted',
    previous_message: wireMessage(previous),
    channel: channel.id,
    hidden: true,
    deleted_ts: previous.ts,
    ts: eventTs,
    event_ts: eventTs,
    channel_type: channelType(channel),
  };
}

export function reactionEvent(input: {
  removed: boolean;
  user: string;
  name: string;
  channel: string;
  ts: string;
  itemUser: string | undefined;
  eventTs: string;
}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: input.removed ? 'reaction_removed' : 'reaction_added',
    user: input.user,
    reaction: input.name,
    item: { type: 'message', channel: input.channel, ts: input.ts },
    event_ts: input.eventTs,
  };
  if (input.itemUser !== undefined) event['item_user'] = input.itemUser;
  return event;
}
