import { appsConnectionsOpen, authTest } from './auth.js';
import { chatDelete, chatGetPermalink, chatPostEphemeral, chatPostMessage, chatUpdate } from './chat.js';
import {
  conversationsHistory,
  conversationsInfo,
  conversationsJoin,
  conversationsList,
  conversationsReplies,
} from './conversations.js';
import { filesCompleteUploadExternal, filesGetUploadUrlExternal, filesInfo } from './files.js';
import type { MethodSpec } from './method.js';
import { reactionsAdd, reactionsGet, reactionsRemove } from './reactions.js';
import { usersInfo } from './users.js';

/** Every Web API method the simulator knows; anything else answers `unknown_method`. */
export const methodTable: ReadonlyMap<string, MethodSpec> = new Map([
  ['auth.test', authTest],
  ['apps.connections.open', appsConnectionsOpen],
  ['chat.postMessage', chatPostMessage],
  ['chat.update', chatUpdate],
  ['chat.delete', chatDelete],
  ['chat.postEphemeral', chatPostEphemeral],
  ['chat.getPermalink', chatGetPermalink],
  ['reactions.add', reactionsAdd],
  ['reactions.remove', reactionsRemove],
  ['reactions.get', reactionsGet],
  ['conversations.history', conversationsHistory],
  ['conversations.replies', conversationsReplies],
  ['conversations.info', conversationsInfo],
  ['conversations.list', conversationsList],
  ['conversations.join', conversationsJoin],
  ['users.info', usersInfo],
  ['files.getUploadURLExternal', filesGetUploadUrlExternal],
  ['files.completeUploadExternal', filesCompleteUploadExternal],
  ['files.info', filesInfo],
]);
