import { teamDomain } from '../files.js';
import { buildBotMessage, wireMessage } from '../messages.js';
import { readBoolean, readString } from '../params.js';
import { addMessage, editMessage, removeMessage } from '../timeline.js';
import type { SimEphemeral } from '../types.js';
import { readMessageContent } from './message-params.js';
import {
  RateLimitedAnswer,
  requireParam,
  requireScope,
  resolveChannel,
  SlackApiError,
  type MethodSpec,
} from './method.js';

export const chatPostMessage: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'chat:write');
    const channelParam = readString(params, 'channel');
    if (core.limiter) {
      // Slack's limit is per channel, so every thread of a channel shares one budget.
      const key = core.state.findChannel(channelParam ?? '')?.id ?? channelParam ?? '';
      const decision = core.limiter.take(key, core.now());
      if (!decision.allowed) throw new RateLimitedAnswer(decision.retryAfterSec, decision.violation);
    }
    const channel = resolveChannel(core, channelParam, {
      needMember: !core.config.scopes.includes('chat:write.public'),
    });
    const content = readMessageContent(params, { requireSomething: true });
    const username = readString(params, 'username');
    const iconUrl = readString(params, 'icon_url');
    const iconEmoji = readString(params, 'icon_emoji');
    if (username !== undefined || iconUrl !== undefined || iconEmoji !== undefined) {
      requireScope(core, 'chat:write.customize');
    }
    const threadParam = readString(params, 'thread_ts');
    // A reply's ts stands for its thread; an unknown thread_ts is accepted as Slack does (an orphan reply).
    const parent = threadParam === undefined ? undefined : core.state.threadParent(channel.id, threadParam);
    const threadTs = parent?.ts ?? threadParam;
    const parentUserId = parent ? core.authorOf(parent) : undefined;
    const message = buildBotMessage(core.config, core.createdSec, {
      ts: core.nextTs(),
      text: content.text,
      ...(threadTs === undefined ? {} : { threadTs }),
      ...(parentUserId === undefined ? {} : { parentUserId }),
      broadcast: readBoolean(params, 'reply_broadcast') ?? false,
      ...(username === undefined ? {} : { username }),
      ...(iconUrl === undefined ? {} : { iconUrl }),
      ...(iconEmoji === undefined ? {} : { iconEmoji }),
      ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
      ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
      ...(content.metadata === undefined ? {} : { metadata: content.metadata }),
    });
    const event = addMessage(core, channel, message);
    return { body: { channel: channel.id, ts: message.ts, message: wireMessage(message) }, events: [event] };
  },
};

export const chatUpdate: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'chat:write');
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
    const ts = requireParam(readString(params, 'ts'), 'message_not_found');
    const message = core.state.message(channel.id, ts);
    if (!message) throw new SlackApiError('message_not_found');
    if (message.bot_id !== core.config.bot.botId) throw new SlackApiError('cant_update_message');
    const content = readMessageContent(params, { requireSomething: true });
    const event = editMessage(core, channel, message, core.config.bot.userId, (target) => {
      target.text = content.text;
      if (content.blocks !== undefined) target.blocks = content.blocks;
      if (content.attachments !== undefined) target.attachments = content.attachments;
      if (content.metadata !== undefined) target.metadata = content.metadata;
    });
    return {
      body: { channel: channel.id, ts, text: message.text, message: wireMessage(message) },
      events: [event],
    };
  },
};

export const chatDelete: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'chat:write');
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
    const ts = requireParam(readString(params, 'ts'), 'message_not_found');
    const message = core.state.message(channel.id, ts);
    if (!message) throw new SlackApiError('message_not_found');
    if (message.bot_id !== core.config.bot.botId) throw new SlackApiError('cant_delete_message');
    return { body: { channel: channel.id, ts }, events: removeMessage(core, channel, ts) };
  },
};

/** Stored apart from the timeline (only `user` sees it); Slack sends no event for it. */
export const chatPostEphemeral: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'chat:write');
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: true });
    const user = readString(params, 'user');
    if (user === undefined || !core.state.users.has(user)) throw new SlackApiError('user_not_in_channel');
    const content = readMessageContent(params, { requireSomething: true });
    const ephemeral: SimEphemeral = {
      channel: channel.id,
      user,
      text: content.text,
      threadTs: readString(params, 'thread_ts'),
      messageTs: core.nextTs(),
      blocks: content.blocks,
      source: 'chat.postEphemeral',
      at: core.now(),
    };
    core.state.ephemerals.push(ephemeral);
    core.emit('ephemeral', ephemeral);
    return { body: { message_ts: ephemeral.messageTs } };
  },
};

export const chatGetPermalink: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
    const ts = requireParam(readString(params, 'message_ts'), 'message_not_found');
    const message = core.state.message(channel.id, ts);
    if (!message) throw new SlackApiError('message_not_found');
    let permalink = `https://${teamDomain(core)}.slack.com/archives/${channel.id}/p${ts.replace('.', '')}`;
    if (message.thread_ts !== undefined && message.thread_ts !== ts) {
      permalink += `?thread_ts=${message.thread_ts}&cid=${channel.id}`;
    }
    return { body: { channel: channel.id, permalink } };
  },
};
