import { wireMessage } from '../messages.js';
import { readString } from '../params.js';
import { setReaction } from '../timeline.js';
import {
  requireParam,
  requireScope,
  resolveChannel,
  SlackApiError,
  type MethodContext,
  type MethodSpec,
} from './method.js';

function changeReaction({ core, params }: MethodContext, removed: boolean): ReturnType<MethodSpec['handle']> {
  requireScope(core, 'reactions:write');
  const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
  const ts = requireParam(readString(params, 'timestamp'), 'no_item_specified');
  const name = requireParam(readString(params, 'name'), 'invalid_name');
  if (name.includes(':') && !/^[^:]+::skin-tone-[2-6]$/.test(name)) throw new SlackApiError('invalid_name');
  const message = core.state.message(channel.id, ts);
  if (!message) throw new SlackApiError('message_not_found');
  const result = setReaction(core, { channel, message, user: core.config.bot.userId, name, removed });
  if ('error' in result) throw new SlackApiError(result.error);
  // Slack delivers the bot's own reaction_added/removed too (bolt's ignoreSelf drops it).
  return { body: {}, events: [result.event] };
}

export const reactionsAdd: MethodSpec = { token: 'bot', handle: (context) => changeReaction(context, false) };

export const reactionsRemove: MethodSpec = { token: 'bot', handle: (context) => changeReaction(context, true) };

export const reactionsGet: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'reactions:read');
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
    const ts = requireParam(readString(params, 'timestamp'), 'no_item_specified');
    const message = core.state.message(channel.id, ts);
    if (!message) throw new SlackApiError('message_not_found');
    return { body: { type: 'message', channel: channel.id, message: wireMessage(message, 'type-only') } };
  },
};
