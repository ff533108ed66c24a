import type { Client, Guild, GuildMember } from 'discord.js';
import type { SendQueues } from '../../src/queue/send-queue-types.js';
import { restDestination } from './destinations.js';
import type { DiscordNames } from './format.js';
import { mentionedIds } from './format.js';
import { callDiscord, discordCodes, isDiscordCode } from './rest.js';

/**
 * Names for mentions and authors, from discord.js's cache (filled by GUILD_CREATE and every message), falling
 * back to one queued REST lookup per unknown member. Lookups never fail a message: an unknown id stays unknown.
 */
export class DiscordNameLookup {
  readonly #client: Client;
  readonly #queues: SendQueues;

  constructor(client: Client, queues: SendQueues) {
    this.#client = client;
    this.#queues = queues;
  }

  /**
   * The guild member, from the cache or (once) from REST; undefined when not a member, or (unless `strict`)
   * unreachable. With `strict`, a failure other than "unknown member" is thrown, so a decision that depends
   * on the member (the role allow-list) waits for Discord instead of guessing.
   */
  async memberOf(guild: Guild | null, userId: string, strict = false): Promise<GuildMember | undefined> {
    if (!guild) return undefined;
    const cached = guild.members.cache.get(userId);
    if (cached) return cached;
    try {
      return await callDiscord(this.#queues, restDestination, 'GET member', () => guild.members.fetch(userId), {
        idempotent: true,
      });
    } catch (error) {
      if (
        !strict ||
        isDiscordCode(error, discordCodes.unknownMember) ||
        isDiscordCode(error, discordCodes.unknownUser)
      ) {
        return undefined;
      }
      throw error;
    }
  }

  /** The guild a channel belongs to, from the cache. */
  guildOf(channelId: string | undefined): Guild | null {
    const channel = channelId === undefined ? undefined : this.#client.channels.cache.get(channelId);
    return channel && 'guild' in channel ? channel.guild : null;
  }

  /** The names a message's content (Discord markup) mentions, for `discordToPlain`. */
  async namesIn(content: string, guild: Guild | null): Promise<DiscordNames> {
    const ids = mentionedIds(content);
    const users = new Map<string, string>();
    for (const id of ids.users) {
      const member = await this.memberOf(guild, id);
      const user = member?.user ?? this.#client.users.cache.get(id);
      const name = member?.displayName ?? user?.displayName;
      if (name) users.set(id, name);
    }
    const roles = new Map<string, string>();
    for (const id of ids.roles) {
      const role = guild?.roles.cache.get(id);
      if (role) roles.set(id, role.name);
    }
    const channels = new Map<string, string>();
    for (const id of ids.channels) {
      const channel = this.#client.channels.cache.get(id);
      if (channel && 'name' in channel && channel.name) channels.set(id, channel.name);
    }
    return { users, roles, channels };
  }
}
