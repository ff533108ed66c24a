import { missingAccess } from '../errors.js';
import type { MessageTarget } from '../state.js';
import { param, type RouteContext } from './route.js';

/** The route's channel or thread; 10003 when unknown, 50001 when the bot cannot view it. */
export function viewableTarget(context: RouteContext, name = 'channel'): MessageTarget {
  const target = context.core.state.requireTarget(param(context, name));
  if (!context.core.state.permissionsIn(target).viewChannel) throw missingAccess();
  return target;
}
