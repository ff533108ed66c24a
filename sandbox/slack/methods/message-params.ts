import { readString, type Params } from '../params.js';
import type { SimMessageMetadata } from '../types.js';
import { SlackApiError } from './method.js';

/** The longest `text` Slack accepts. */
const MAX_TEXT = 40_000;

export interface MessageContent {
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: SimMessageMetadata | undefined;
}

/** text / blocks / attachments / metadata of chat.postMessage, chat.update and chat.postEphemeral, checked as Slack does. */
export function readMessageContent(params: Params, options: { requireSomething: boolean }): MessageContent {
  const text = readString(params, 'text') ?? '';
  const blocks = readJsonArray(params, 'blocks', 'invalid_blocks');
  const attachments = readJsonArray(params, 'attachments', 'invalid_attachments');
  const metadata = readMetadata(params);
  if (options.requireSomething && text === '' && blocks === undefined && attachments === undefined) {
    throw new SlackApiError('no_text');
  }
  if (text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  return { text, blocks, attachments, metadata };
}

function readJsonArray(params: Params, key: string, error: string): unknown[] | undefined {
  const value = params[key];
  if (value === undefined || value === '') return undefined;
  if (!Array.isArray(value)) throw new SlackApiError(error);
  return value as unknown[];
}

function readMetadata(params: Params): SimMessageMetadata | undefined {
  const value = params['metadata'];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SlackApiError('invalid_metadata_format');
  }
  const record = value as Record<string, unknown>;
  const eventType = record['event_type'];
  const payload = record['event_payload'];
  if (typeof eventType !== 'string' || eventType === '' || typeof payload !== 'object' || payload === null) {
    throw new SlackApiError('invalid_metadata_schema');
  }
  return { event_type: eventType, event_payload: payload as Record<string, unknown> };
}
