import { invalidFormBody, missingPermissions, wrongChannelType } from '../errors.js';
import { createMessage, storeMessage, validateMessageBody } from '../message-create.js';
import type { MessageTarget } from '../state.js';
import { createThread, readArchiveDuration, readThreadName, threadAlreadyCreated } from '../thread-ops.js';
import type { SimChannel, SimMessage, SimThread, ThreadType } from '../types.js';
import { wireThread } from '../wire-guild.js';
import { viewableTarget } from './access.js';
import { restMessage } from './messages.js';
import { param, type Route, type RouteContext, type RouteResult } from './route.js';

const HAS_THREAD = 1 << 5;

function threadAnswer(context: RouteContext, thread: SimThread, extra: Record<string, unknown> = {}): RouteResult {
  const member = {
    id: thread.id,
    user_id: context.core.state.bot.id,
    join_timestamp: thread.create_timestamp,
    flags: 1,
  };
  return { status: 201, body: { ...wireThread(context.core.state, thread), member, ...extra } };
}

function textParent(target: MessageTarget): SimChannel {
  if (target.kind !== 'channel' || target.channel.type !== 0) throw wrongChannelType();
  return target.channel;
}

/** POST /channels/:c/messages/:m/threads — the thread takes the message's id; the message gets HAS_THREAD. */
function startThreadFromMessage(context: RouteContext): RouteResult {
  const { core } = context;
  const target = viewableTarget(context);
  const parent = textParent(target);
  if (!core.state.permissionsIn(target).createPublicThreads) throw missingPermissions();
  const message = core.state.requireMessage(target.id, param(context, 'message'));
  if (core.state.threads.has(message.id)) throw threadAlreadyCreated();
  const thread = createThread(core, {
    parent,
    id: message.id,
    type: 11,
    owner: core.state.bot,
    name: readThreadName(context.body['name']),
    autoArchive: readArchiveDuration(context.body['auto_archive_duration']),
  });
  message.flags |= HAS_THREAD;
  core.gateway.dispatchMessage('MESSAGE_UPDATE', message);
  core.emit('update', message);
  return threadAnswer(context, thread);
}

/** The "… started a thread" system message Discord posts in the parent of a new public thread. */
function postThreadCreatedNotice(context: RouteContext, parentTarget: MessageTarget, thread: SimThread): void {
  const { core } = context;
  const notice: SimMessage = {
    id: core.ids.next(),
    channel_id: parentTarget.id,
    guild_id: core.state.guild.id,
    type: 18,
    content: thread.name,
    author: core.state.bot,
    origin: 'system',
    timestamp: core.timestamp(),
    edited_timestamp: null,
    attachments: [],
    embeds: [],
    components: [],
    reactions: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    message_reference: { type: 0, channel_id: thread.id, guild_id: core.state.guild.id },
    flags: 0,
    tts: false,
    pinned: false,
  };
  storeMessage(core, parentTarget, notice);
}

function readThreadType(value: unknown): ThreadType {
  // Discord's documented default for POST /channels/:id/threads is a private thread.
  if (value === undefined || value === null) return 12;
  if (value === 11 || value === 12) return value;
  throw invalidFormBody(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {11, 12}.');
}

function startForumPost(context: RouteContext, target: MessageTarget, forum: SimChannel): RouteResult {
  const { core } = context;
  if (!core.state.permissionsIn(target).sendMessages) throw missingPermissions();
  const starter = context.body['message'];
  if (typeof starter !== 'object' || starter === null || Array.isArray(starter)) {
    throw invalidFormBody(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
  }
  const body = starter as Record<string, unknown>;
  const name = readThreadName(context.body['name']);
  const autoArchive = readArchiveDuration(context.body['auto_archive_duration']);
  validateMessageBody(body, context.files.length);
  const appliedTags = Array.isArray(context.body['applied_tags']) ? context.body['applied_tags'].map(String) : [];
  const thread = createThread(core, { parent: forum, type: 11, owner: core.state.bot, name, autoArchive, appliedTags });
  const threadTarget: MessageTarget = { kind: 'thread', id: thread.id, thread, parent: forum };
  const { message } = createMessage(core, {
    target: threadTarget,
    id: thread.id,
    author: core.state.bot,
    origin: 'bot',
    body: { ...body, attachments: body['attachments'] ?? context.body['attachments'] },
    files: context.files,
  });
  return threadAnswer(context, thread, { message: restMessage(context, message) });
}

/** POST /channels/:c/threads — a thread without a starter message, or (in a forum) a post with its first message. */
function startThread(context: RouteContext): RouteResult {
  const { core } = context;
  const target = viewableTarget(context);
  if (target.kind === 'thread') throw wrongChannelType();
  if (target.channel.type === 15) return startForumPost(context, target, target.channel);
  const parent = textParent(target);
  const type = readThreadType(context.body['type']);
  if (type === 11 && !core.state.permissionsIn(target).createPublicThreads) throw missingPermissions();
  const thread = createThread(core, {
    parent,
    type,
    owner: core.state.bot,
    name: readThreadName(context.body['name']),
    autoArchive: readArchiveDuration(context.body['auto_archive_duration']),
  });
  if (type === 11) postThreadCreatedNotice(context, target, thread);
  return threadAnswer(context, thread);
}

export const threadRoutes: Route[] = [
  {
    method: 'POST',
    template: '/channels/:channel/messages/:message/threads',
    auth: true,
    handle: startThreadFromMessage,
  },
  { method: 'POST', template: '/channels/:channel/threads', auth: true, handle: startThread },
];
