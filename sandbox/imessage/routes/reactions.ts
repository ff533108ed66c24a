import type { SimCore } from '../core.js';
import { invalidParameter } from '../errors.js';
import { enqueueOutbox } from '../outbox.js';
import { singlePage } from '../pagination.js';
import { requireString } from '../params.js';
import { wireReaction } from '../wire.js';
import type { ApiRequest, ApiResult, Route } from './route.js';
import { outboxCreated } from './route.js';

/** The six tapbacks the API can send (§2.6, §7). */
export const REACTION_TYPES = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;

function sendReaction(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const to = requireString(body, 'to');
  const type = requireString(body, 'type');
  if (!(REACTION_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter('type', `type must be one of ${REACTION_TYPES.join(', ')}`);
  }
  const chat = core.state.requireChat(line, to);
  core.state.requireMessage(requireString(body, 'message_id'), 'message_id');
  return outboxCreated(enqueueOutbox(core, 'reaction', line, chat, { ...body }));
}

/** Every reaction on the message in the order they happened, removals included (`added: false`). */
function listReactions(core: SimCore, { query }: ApiRequest): ApiResult {
  const message = core.state.requireMessage(requireString(query, 'message_id'), 'message_id');
  const data = core.state.reactions.filter((reaction) => reaction.message_id === message.id).map(wireReaction);
  return { status: 200, body: { ...singlePage(data) } };
}

export const reactionRoutes: Record<string, Route> = {
  'POST /reactions': { handle: sendReaction },
  'GET /reactions': { handle: listReactions },
};
