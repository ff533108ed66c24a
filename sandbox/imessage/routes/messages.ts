import type { SimCore } from '../core.js';
import { invalidParameter, missingParameter, SimApiError } from '../errors.js';
import { enqueueOutbox } from '../outbox.js';
import { pageNewestFirst } from '../pagination.js';
import { optionalString, requireString } from '../params.js';
import { wireMessage } from '../wire.js';
import { outboxCreated, requireContactFirst, type ApiRequest, type ApiResult, type Route } from './route.js';

function validateReplyTo(core: SimCore, replyTo: string | undefined): void {
  // A raw GUID may name a message the simulator never saw; a msg_ id must exist.
  if (replyTo?.startsWith('msg_')) core.state.requireMessage(replyTo, 'reply_to');
}

function sendMessage(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const to = requireString(body, 'to');
  const text = optionalString(body, 'text');
  const attachments = body['attachments'];
  if (attachments !== undefined && attachments !== null && !Array.isArray(attachments)) {
    throw invalidParameter('attachments', 'attachments must be an array of file ids');
  }
  const fileIds: unknown[] = attachments ?? [];
  if (fileIds.length > 1) throw invalidParameter('attachments', 'At most 1 attachment per message');
  if ((text === undefined || text === '') && fileIds.length === 0) throw missingParameter('text');
  for (const id of fileIds) core.state.requireFile(id, 'attachments');
  const replyTo = optionalString(body, 'reply_to');
  validateReplyTo(core, replyTo);
  const chat = requireContactFirst(core, line, to);
  return outboxCreated(enqueueOutbox(core, 'message', line, chat, { ...body }));
}

function sendAudioMessage(core: SimCore, { body }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(body, 'from'));
  const to = requireString(body, 'to');
  const file = core.state.requireFile(requireString(body, 'audio_message'), 'audio_message');
  if (line.service === 'sms' || !line.advanced_features) {
    throw new SimApiError(
      400,
      'invalid_request_error',
      'advanced_features_required',
      'Audio messages need an iMessage line with advanced features enabled.',
    );
  }
  if (!file.mime_type.startsWith('audio/'))
    throw invalidParameter('audio_message', 'audio_message must be an audio file');
  const replyTo = optionalString(body, 'reply_to');
  validateReplyTo(core, replyTo);
  const chat = requireContactFirst(core, line, to);
  return outboxCreated(enqueueOutbox(core, 'audio_message', line, chat, { ...body }));
}

/** Newest first: the most recent message is the first item of the first page. */
function listMessages(core: SimCore, { query }: ApiRequest): ApiResult {
  const line = core.state.lineByHandle(requireString(query, 'from'));
  const chat = core.state.requireChat(line, requireString(query, 'to'));
  const page = pageNewestFirst(core.state.messages.get(chat.id) ?? [], query, `messages:${chat.id}`);
  return { status: 200, body: { ...page, data: page.data.map(wireMessage) } };
}

export const messageRoutes: Record<string, Route> = {
  'POST /messages': { handle: sendMessage },
  'POST /audio-messages': { handle: sendAudioMessage },
  'GET /messages': { handle: listMessages },
};
