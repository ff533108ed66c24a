import type { SimState } from './state.js';
import type { SimAttachment, SimMessage, SimReaction } from './types.js';
import { wireMember, wireThread, wireUser } from './wire-guild.js';

type Json = Record<string, unknown>;

export interface WireMessageOptions {
  /** Add what only gateway dispatches carry: guild_id, member (also on mentions) and channel_type. */
  gateway?: boolean;
  /** Keep `nonce` (only the create response and MESSAGE_CREATE carry it). */
  withNonce?: boolean;
  /** Blank content, embeds, attachments and components, as Discord does without the MessageContent intent. */
  hideContent?: boolean;
}

export function wireAttachment(attachment: SimAttachment): Json {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    url: attachment.url,
    proxy_url: attachment.proxy_url,
    content_type: attachment.content_type,
    ...(attachment.description === undefined ? {} : { description: attachment.description }),
  };
}

function wireReaction(reaction: SimReaction, viewerId: string): Json {
  return {
    emoji: reaction.emoji,
    count: reaction.users.length,
    count_details: { burst: 0, normal: reaction.users.length },
    burst_colors: [],
    me: reaction.users.includes(viewerId),
    me_burst: false,
    burst_me: false,
    burst_count: 0,
  };
}

/** Discord hides content from apps without the intent, except their own messages and ones that mention them. */
export function isContentHidden(state: SimState, message: SimMessage, intentGranted: boolean): boolean {
  if (intentGranted) return false;
  return message.author.id !== state.bot.id && !message.mentions.includes(state.bot.id);
}

/** A message as Discord sends it, over REST or (with `gateway`) in MESSAGE_CREATE / MESSAGE_UPDATE. */
export function wireMessage(state: SimState, message: SimMessage, options: WireMessageOptions = {}): Json {
  const hide = options.hideContent === true;
  const target = state.findTarget(message.channel_id);
  const member = message.webhook_id === undefined ? state.members.get(message.author.id) : undefined;
  const startedThread = state.threads.get(message.id);
  const reference = message.message_reference;
  const referenced =
    reference?.message_id === undefined ? undefined : state.findMessage(reference.channel_id, reference.message_id);
  const json: Json = {
    type: message.type,
    content: hide ? '' : message.content,
    mentions: message.mentions.flatMap((id) => {
      const mentioned = state.members.get(id);
      if (!mentioned) return [];
      return [{ ...wireUser(mentioned.user), ...(options.gateway ? { member: wireMember(mentioned, false) } : {}) }];
    }),
    mention_roles: message.mention_roles,
    attachments: hide ? [] : message.attachments.map(wireAttachment),
    embeds: hide ? [] : message.embeds,
    timestamp: message.timestamp,
    edited_timestamp: message.edited_timestamp,
    flags: message.flags,
    components: hide ? [] : message.components,
    id: message.id,
    channel_id: message.channel_id,
    author: wireUser(message.author),
    pinned: message.pinned,
    mention_everyone: message.mention_everyone,
    tts: message.tts,
  };
  if (message.webhook_id !== undefined) {
    json['webhook_id'] = message.webhook_id;
    const webhook = state.webhooks.get(message.webhook_id);
    if (webhook) json['application_id'] = webhook.application_id;
  }
  if (message.reactions.length > 0) json['reactions'] = message.reactions.map((r) => wireReaction(r, state.bot.id));
  if (options.withNonce && message.nonce !== undefined) json['nonce'] = message.nonce;
  if (message.message_reference) json['message_reference'] = message.message_reference;
  if (message.type === 19) {
    json['referenced_message'] = referenced ? wireMessage(state, referenced, { hideContent: hide }) : null;
  }
  if (startedThread && startedThread.parent_id === message.channel_id)
    json['thread'] = wireThread(state, startedThread);
  if (target?.kind === 'thread') json['position'] = state.messages(message.channel_id).indexOf(message);
  if (options.gateway) {
    json['guild_id'] = message.guild_id;
    if (member) json['member'] = wireMember(member, false);
    if (target) json['channel_type'] = target.kind === 'thread' ? target.thread.type : target.channel.type;
  }
  return json;
}
