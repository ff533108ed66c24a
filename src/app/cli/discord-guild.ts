import { describeDiscordFailure, type DiscordResult } from './discord-api.js';
import type { GuildRole, PermissionOverwrite } from './discord-permissions.js';
import { asRecord, stringField, UnreachableError } from './fetch-json.js';

/** What the permission computation needs from a server. */
export interface GuildFacts {
  readonly ownerId: string | undefined;
  readonly roles: readonly GuildRole[];
  /** The role ids of the bot's membership. */
  readonly botRoles: readonly string[];
}

/** Reads a server's facts once per server: a string says what failed. */
export type GuildFactsReader = (guildId: string) => Promise<GuildFacts | string>;

/** GET /guilds/:id (owner and roles) and GET /guilds/:id/members/:bot (the bot's roles), cached per server. */
export function guildFactsReader(get: (path: string) => Promise<DiscordResult>, botId: string): GuildFactsReader {
  const cache = new Map<string, Promise<GuildFacts | string>>();
  return (guildId) => {
    let facts = cache.get(guildId);
    if (!facts) {
      facts = readGuildFacts(get, botId, guildId);
      cache.set(guildId, facts);
    }
    return facts;
  };
}

async function readGuildFacts(
  get: (path: string) => Promise<DiscordResult>,
  botId: string,
  guildId: string,
): Promise<GuildFacts | string> {
  const guild = await get(`/guilds/${guildId}`);
  if (guild instanceof UnreachableError || !guild.ok) return `GET /guilds/${guildId} ${describeDiscordFailure(guild)}`;
  const member = await get(`/guilds/${guildId}/members/${botId}`);
  if (member instanceof UnreachableError || !member.ok) return `the bot's membership ${describeDiscordFailure(member)}`;
  const guildBody = asRecord(guild.body);
  const roles = (Array.isArray(guildBody['roles']) ? guildBody['roles'] : []).map((role) => {
    const record = asRecord(role);
    return { id: stringField(record, 'id') ?? '', permissions: stringField(record, 'permissions') ?? '0' };
  });
  const memberRoles = asRecord(member.body)['roles'];
  return {
    ownerId: stringField(guildBody, 'owner_id'),
    roles,
    botRoles: Array.isArray(memberRoles) ? memberRoles.filter((role): role is string => typeof role === 'string') : [],
  };
}

/** A channel's `permission_overwrites` as wire data → typed overwrites. */
export function overwritesOf(channel: Record<string, unknown>): PermissionOverwrite[] {
  const list = channel['permission_overwrites'];
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const record = asRecord(item);
    return {
      id: stringField(record, 'id') ?? '',
      type: typeof record['type'] === 'number' ? record['type'] : Number(record['type']),
      allow: stringField(record, 'allow') ?? '0',
      deny: stringField(record, 'deny') ?? '0',
    };
  });
}
