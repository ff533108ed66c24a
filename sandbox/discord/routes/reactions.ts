import { methodNotAllowed, missingPermissions } from '../errors.js';
import { addReaction, parseRouteEmoji, removeReaction } from '../reaction-ops.js';
import { wireUser } from '../wire-guild.js';
import { viewableTarget } from './access.js';
import { noContent, ok, param, type Route, type RouteContext, type RouteResult } from './route.js';

function reactionContext(context: RouteContext) {
  const target = viewableTarget(context);
  const message = context.core.state.requireMessage(target.id, param(context, 'message'));
  return { target, message, emoji: parseRouteEmoji(param(context, 'emoji')) };
}

function putReaction(context: RouteContext): RouteResult {
  if (param(context, 'user') !== '@me') throw methodNotAllowed();
  const { target, message, emoji } = reactionContext(context);
  const permissions = context.core.state.permissionsIn(target);
  if (!permissions.readMessageHistory || !permissions.addReactions) throw missingPermissions();
  addReaction(context.core, target, message, context.core.state.bot.id, emoji);
  return noContent();
}

/** Removing the bot's own reaction is always allowed; someone else's needs Manage Messages (not granted). */
function deleteReaction(context: RouteContext): RouteResult {
  const { target, message, emoji } = reactionContext(context);
  const user = param(context, 'user');
  const botId = context.core.state.bot.id;
  if (user !== '@me' && user !== botId) throw missingPermissions();
  removeReaction(context.core, target, message, botId, emoji);
  return noContent();
}

function listReactionUsers(context: RouteContext): RouteResult {
  const { message, emoji } = reactionContext(context);
  const { state } = context.core;
  const reaction = message.reactions.find((item) =>
    emoji.id === null ? item.emoji.id === null && item.emoji.name === emoji.name : item.emoji.id === emoji.id,
  );
  const users = (reaction?.users ?? []).flatMap((id) => {
    const user = state.userById(id);
    return user ? [wireUser(user)] : [];
  });
  return ok(users);
}

const template = '/channels/:channel/messages/:message/reactions/:emoji';

export const reactionRoutes: Route[] = [
  { method: 'PUT', template: `${template}/:user`, auth: true, handle: putReaction },
  { method: 'DELETE', template: `${template}/:user`, auth: true, handle: deleteReaction },
  { method: 'GET', template, auth: true, handle: listReactionUsers },
  {
    method: 'DELETE',
    template,
    auth: true,
    handle: (context) => {
      reactionContext(context);
      throw missingPermissions();
    },
  },
];
