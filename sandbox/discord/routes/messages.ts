import { invalidFormBody, missingAccess, missingPermissions } from '../errors.js';
import { createMessage } from '../message-create.js';
import { cannotEditOthers, deleteMessage, editMessage } from '../message-edit.js';
import type { SimMessage } from '../types.js';
import { isContentHidden, wireMessage, type WireMessageOptions } from '../wire-message.js';
import { viewableTarget } from './access.js';
import { noContent, ok, param, type Route, type RouteContext, type RouteResult } from './route.js';

/** A message over REST; without the MessageContent intent enabled for the app, others' content is blank. */
export function restMessage(
  context: RouteContext,
  message: SimMessage,
  options: WireMessageOptions = {},
): Record<string, unknown> {
  const { state, config } = context.core;
  return wireMessage(state, message, {
    ...options,
    hideContent: isContentHidden(state, message, config.messageContentIntentEnabled),
  });
}

function postMessage(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const { message } = createMessage(context.core, {
    target,
    author: context.core.state.bot,
    origin: 'bot',
    body: context.body,
    files: context.files,
  });
  return ok(restMessage(context, message, { withNonce: true }));
}

function readSnowflake(context: RouteContext, name: string): bigint | undefined {
  const value = context.query[name];
  if (value === undefined) return undefined;
  if (!/^\d{1,20}$/.test(value))
    throw invalidFormBody([name], 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
  return BigInt(value);
}

/** Newest first, like Discord; `before`, `after` and `around` select the window. */
function listMessages(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const limit = context.query['limit'] === undefined ? 50 : Number(context.query['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidFormBody(['limit'], 'NUMBER_TYPE_MAX', 'int value should be between 1 and 100.');
  }
  // Without Read Message History Discord answers an empty list, not an error.
  if (!context.core.state.permissionsIn(target).readMessageHistory) return ok([]);
  const newestFirst = [...context.core.state.messages(target.id)].reverse();
  const before = readSnowflake(context, 'before');
  const after = readSnowflake(context, 'after');
  const around = readSnowflake(context, 'around');
  let page: SimMessage[];
  if (around !== undefined) {
    const index = newestFirst.findIndex((message) => BigInt(message.id) <= around);
    const start = Math.max(0, (index < 0 ? newestFirst.length : index) - Math.floor(limit / 2));
    page = newestFirst.slice(start, start + limit);
  } else if (after !== undefined) {
    page = newestFirst.filter((message) => BigInt(message.id) > after).slice(-limit);
  } else {
    page = newestFirst.filter((message) => before === undefined || BigInt(message.id) < before).slice(0, limit);
  }
  return ok(page.map((message) => restMessage(context, message)));
}

function getMessage(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  if (!context.core.state.permissionsIn(target).readMessageHistory) throw missingAccess();
  return ok(restMessage(context, context.core.state.requireMessage(target.id, param(context, 'message'))));
}

function patchMessage(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const message = context.core.state.requireMessage(target.id, param(context, 'message'));
  if (message.origin !== 'bot' || message.author.id !== context.core.state.bot.id) throw cannotEditOthers();
  return ok(restMessage(context, editMessage(context.core, target, message, context.body, context.files)));
}

/** The bot may delete its own messages; others need Manage Messages, which its role does not have. */
function removeMessage(context: RouteContext): RouteResult {
  const target = viewableTarget(context);
  const message = context.core.state.requireMessage(target.id, param(context, 'message'));
  if (message.author.id !== context.core.state.bot.id) throw missingPermissions();
  deleteMessage(context.core, target, message);
  return noContent();
}

export const messageRoutes: Route[] = [
  { method: 'POST', template: '/channels/:channel/messages', auth: true, handle: postMessage },
  { method: 'GET', template: '/channels/:channel/messages', auth: true, handle: listMessages },
  { method: 'GET', template: '/channels/:channel/messages/:message', auth: true, handle: getMessage },
  { method: 'PATCH', template: '/channels/:channel/messages/:message', auth: true, handle: patchMessage },
  { method: 'DELETE', template: '/channels/:channel/messages/:message', auth: true, handle: removeMessage },
];
