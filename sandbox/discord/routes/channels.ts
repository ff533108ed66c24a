import { invalidFormBody, missingPermissions, nonTextChannel } from '../errors.js';
import { updateThread } from '../thread-ops.js';
import { wireChannel, wireMember, wireThread } from '../wire-guild.js';
import { viewableTarget } from './access.js';
import { noContent, ok, type Route, type RouteContext, type RouteResult } from './route.js';

function getChannel(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const { state } = context.core;
  return ok(target.kind === 'thread' ? wireThread(state, target.thread) : wireChannel(state, target.channel));
}

/** Only threads can be edited: the bot has no Manage Channels. */
function patchChannel(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  if (target.kind !== 'thread') throw missingPermissions();
  return ok(wireThread(context.core.state, updateThread(context.core, target.thread, context.body)));
}

function typing(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const permissions = context.core.state.permissionsIn(target);
  if (target.kind === 'channel' && target.channel.type !== 0) throw nonTextChannel();
  if (!(target.kind === 'thread' ? permissions.sendMessagesInThreads : permissions.sendMessages))
    throw missingPermissions();
  const { state } = context.core;
  const botMember = state.members.get(state.bot.id);
  context.core.gateway.dispatch('TYPING_START', {
    channel_id: target.id,
    guild_id: state.guild.id,
    user_id: state.bot.id,
    timestamp: Math.floor(Date.now() / 1000),
    ...(botMember ? { member: wireMember(botMember) } : {}),
  });
  context.core.emit('typing', { channelId: target.id, userId: state.bot.id });
  return noContent();
}

/** Archived public threads of a channel, newest archive first. */
function archivedPublicThreads(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const { state } = context.core;
  if (!state.permissionsIn(target).readMessageHistory) throw missingPermissions();
  const limit = context.query['limit'] === undefined ? 50 : Number(context.query['limit']);
  if (!Number.isInteger(limit) || limit < 2 || limit > 100) {
    throw invalidFormBody(['limit'], 'NUMBER_TYPE_MIN', 'int value should be between 2 and 100.');
  }
  const before = context.query['before'];
  const threads = [...state.threads.values()]
    .filter((thread) => thread.parent_id === target.id && thread.archived && thread.type === 11)
    .filter((thread) => before === undefined || thread.archive_timestamp < before)
    .sort((a, b) => b.archive_timestamp.localeCompare(a.archive_timestamp));
  return ok({
    threads: threads.slice(0, limit).map((thread) => wireThread(state, thread)),
    members: [],
    has_more: threads.length > limit,
  });
}

export const channelRoutes: Route[] = [
  { method: 'GET', template: '/channels/:channel', auth: true, handle: getChannel },
  { method: 'PATCH', template: '/channels/:channel', auth: true, handle: patchChannel },
  { method: 'POST', template: '/channels/:channel/typing', auth: true, handle: typing },
  { method: 'GET', template: '/channels/:channel/threads/archived/public', auth: true, handle: archivedPublicThreads },
  {
    method: 'PUT',
    template: '/channels/:channel/thread-members/@me',
    auth: true,
    handle: (context) => {
      viewableTarget(context);
      return noContent();
    },
  },
];
