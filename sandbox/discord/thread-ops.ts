import type { SimCore } from './core.js';
import { archivedThread, DiscordApiError, invalidFormBody } from './errors.js';
import type { SimChannel, SimThread, SimUser, ThreadType } from './types.js';
import { wireThread } from './wire-guild.js';

export const ARCHIVE_DURATIONS = [60, 1440, 4320, 10080] as const;
export type ArchiveDuration = (typeof ARCHIVE_DURATIONS)[number];

/** Thread names are 1–100 characters. */
export function readThreadName(value: unknown, path: string[] = ['name']): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidFormBody(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  }
  if ([...value].length > 100)
    throw invalidFormBody(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  return value;
}

export function readArchiveDuration(value: unknown, fallback: ArchiveDuration = 1440): ArchiveDuration {
  if (value === undefined || value === null) return fallback;
  const found = ARCHIVE_DURATIONS.find((duration) => duration === value);
  if (found === undefined) {
    throw invalidFormBody(
      ['auto_archive_duration'],
      'BASE_TYPE_CHOICES',
      'Value must be one of {60, 1440, 4320, 10080}.',
    );
  }
  return found;
}

export interface NewThreadInput {
  parent: SimChannel;
  name: string;
  type: ThreadType;
  owner: SimUser | { id: string };
  autoArchive: ArchiveDuration;
  /** A fixed id (a thread started from a message takes the message's id). */
  id?: string;
  appliedTags?: string[];
}

/** Stores a thread and dispatches THREAD_CREATE (newly_created), as Discord does for every new thread. */
export function createThread(core: SimCore, input: NewThreadInput): SimThread {
  const now = core.timestamp();
  const thread: SimThread = {
    id: input.id ?? core.ids.next(),
    type: input.type,
    guild_id: core.state.guild.id,
    parent_id: input.parent.id,
    owner_id: input.owner.id,
    name: input.name,
    archived: false,
    locked: false,
    auto_archive_duration: input.autoArchive,
    archive_timestamp: now,
    create_timestamp: now,
    message_count: 0,
    total_message_sent: 0,
    applied_tags: input.appliedTags ?? [],
    last_message_id: null,
  };
  core.state.threads.set(thread.id, thread);
  core.gateway.dispatch('THREAD_CREATE', { ...wireThread(core.state, thread), newly_created: true });
  core.emit('thread', thread);
  return thread;
}

function announceUpdate(core: SimCore, thread: SimThread): void {
  core.gateway.dispatch('THREAD_UPDATE', wireThread(core.state, thread));
  core.emit('thread', thread);
}

/** A message in an archived (unlocked) thread unarchives it first, as on Discord. */
export function unarchiveForActivity(core: SimCore, thread: SimThread): void {
  thread.archived = false;
  thread.archive_timestamp = core.timestamp();
  announceUpdate(core, thread);
}

export function setArchived(core: SimCore, thread: SimThread, archived: boolean): void {
  if (thread.archived === archived) return;
  thread.archived = archived;
  thread.archive_timestamp = core.timestamp();
  announceUpdate(core, thread);
}

/** PATCH /channels/:thread — name, archived, locked, auto_archive_duration, applied_tags. */
export function updateThread(core: SimCore, thread: SimThread, body: Record<string, unknown>): SimThread {
  // An archived thread only accepts a change that unarchives it.
  if (thread.archived && body['archived'] !== false) throw archivedThread();
  if (body['archived'] !== undefined && typeof body['archived'] !== 'boolean') {
    throw invalidFormBody(['archived'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
  }
  if (body['name'] !== undefined) thread.name = readThreadName(body['name']);
  if (body['auto_archive_duration'] !== undefined) {
    thread.auto_archive_duration = readArchiveDuration(body['auto_archive_duration']);
  }
  if (typeof body['locked'] === 'boolean') thread.locked = body['locked'];
  if (Array.isArray(body['applied_tags'])) thread.applied_tags = body['applied_tags'].map(String);
  if (typeof body['archived'] === 'boolean' && body['archived'] !== thread.archived) {
    thread.archived = body['archived'];
    thread.archive_timestamp = core.timestamp();
  }
  announceUpdate(core, thread);
  return thread;
}

export const threadAlreadyCreated = (): DiscordApiError =>
  new DiscordApiError(400, 160004, 'A thread has already been created for this message');
