import type { SlackCore } from '../core.js';
import { compareTs } from '../ids.js';
import { wireMessage, type MetadataView } from '../messages.js';
import { readBoolean, readInteger, readString, type Params } from '../params.js';
import type { SimChannel, SimMessage } from '../types.js';
import { requireScope, resolveChannel, SlackApiError, type MethodSpec } from './method.js';

/** Slack's cursors are opaque base64 (`next_ts:<ts>` for history-like lists, `id:<id>` for lists of objects). */
function encodeCursor(kind: 'next_ts' | 'id', value: string): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

function decodeCursor(cursor: string | undefined, kind: 'next_ts' | 'id'): string | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(`${kind}:`)) throw new SlackApiError('invalid_cursor');
  return text.slice(kind.length + 1);
}

function readLimit(params: Params, fallback: number, max: number): number {
  const limit = readInteger(params, 'limit');
  if (limit === undefined || limit <= 0) return fallback;
  return Math.min(limit, max);
}

/** oldest/latest bounds, exclusive unless `inclusive`. */
function inWindow(params: Params): (message: SimMessage) => boolean {
  const oldest = readString(params, 'oldest');
  const latest = readString(params, 'latest');
  const inclusive = readBoolean(params, 'inclusive') ?? false;
  return (message) => {
    if (oldest !== undefined) {
      const order = compareTs(message.ts, oldest);
      if (order < 0 || (order === 0 && !inclusive)) return false;
    }
    if (latest !== undefined) {
      const order = compareTs(message.ts, latest);
      if (order > 0 || (order === 0 && !inclusive)) return false;
    }
    return true;
  };
}

function metadataView(params: Params): MetadataView {
  return readBoolean(params, 'include_all_metadata') ? 'full' : 'type-only';
}

/** One page of `list` starting at the cursor's ts (list already in the order pages are read). */
function page(
  list: SimMessage[],
  cursorTs: string | undefined,
  limit: number,
): { items: SimMessage[]; nextCursor: string } {
  const start = cursorTs === undefined ? 0 : list.findIndex((message) => message.ts === cursorTs);
  if (start < 0) throw new SlackApiError('invalid_cursor');
  const items = list.slice(start, start + limit);
  const next = list[start + limit];
  return { items, nextCursor: next ? encodeCursor('next_ts', next.ts) : '' };
}

export const conversationsHistory: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: true, scopeKind: 'history' });
    const newestFirst = core.state.messages(channel.id).filter(inWindow(params)).reverse();
    const limit = readLimit(params, 100, 999);
    const { items, nextCursor } = page(newestFirst, decodeCursor(readString(params, 'cursor'), 'next_ts'), limit);
    const view = metadataView(params);
    return {
      body: {
        messages: items.map((message) => wireMessage(message, view)),
        has_more: nextCursor !== '',
        pin_count: 0,
        channel_actions_ts: null,
        channel_actions_count: 0,
        response_metadata: { next_cursor: nextCursor },
      },
    };
  },
};

/**
 * The parent and its replies, oldest first. The parent leads the first page only (later pages are replies);
 * a reply's ts stands for its thread.
 */
export const conversationsReplies: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: true, scopeKind: 'history' });
    const ts = readString(params, 'ts');
    const parent = ts === undefined ? undefined : core.state.threadParent(channel.id, ts);
    if (!parent) throw new SlackApiError('thread_not_found');
    const thread = [parent, ...core.state.replies(channel.id, parent.ts)].filter(inWindow(params));
    const limit = readLimit(params, 1000, 1000);
    const { items, nextCursor } = page(thread, decodeCursor(readString(params, 'cursor'), 'next_ts'), limit);
    const view = metadataView(params);
    return {
      body: {
        messages: items.map((message) => wireMessage(message, view)),
        has_more: nextCursor !== '',
        response_metadata: { next_cursor: nextCursor },
      },
    };
  },
};

export function channelObject(core: SlackCore, channel: SimChannel): Record<string, unknown> {
  const empty = { value: '', creator: '', last_set: 0 };
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isPrivate,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    created: channel.created,
    is_archived: false,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: core.config.team.id,
    creator: core.config.users[0]?.id ?? core.config.bot.userId,
    is_member: channel.botIsMember,
    topic: empty,
    purpose: empty,
    previous_names: [],
    num_members: core.state.users.size + (channel.botIsMember ? 1 : 0),
  };
}

export const conversationsInfo: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false, scopeKind: 'read' });
    return { body: { channel: channelObject(core, channel) } };
  },
};

export const conversationsList: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    const types = (readString(params, 'types') ?? 'public_channel').split(',').map((type) => type.trim());
    if (types.includes('public_channel')) requireScope(core, 'channels:read');
    if (types.includes('private_channel')) requireScope(core, 'groups:read');
    const visible = [...core.state.channels.values()].filter((channel) =>
      channel.isPrivate ? types.includes('private_channel') && channel.botIsMember : types.includes('public_channel'),
    );
    const after = decodeCursor(readString(params, 'cursor'), 'id');
    const start = after === undefined ? 0 : visible.findIndex((channel) => channel.id === after);
    if (start < 0) throw new SlackApiError('invalid_cursor');
    const limit = readLimit(params, 100, 1000);
    const next = visible[start + limit];
    return {
      body: {
        channels: visible.slice(start, start + limit).map((channel) => channelObject(core, channel)),
        response_metadata: { next_cursor: next ? encodeCursor('id', next.id) : '' },
      },
    };
  },
};

export const conversationsJoin: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'channels:join');
    const channel = resolveChannel(core, readString(params, 'channel'), { needMember: false });
    if (channel.isPrivate) throw new SlackApiError('method_not_supported_for_channel_type');
    const already = channel.botIsMember;
    channel.botIsMember = true;
    const body: Record<string, unknown> = { channel: channelObject(core, channel) };
    if (already) {
      body['warning'] = 'already_in_channel';
      body['response_metadata'] = { warnings: ['already_in_channel'] };
    }
    return { body };
  },
};
