import { ChannelType, PermissionFlagsBits, type Client, type GuildBasedChannel } from 'discord.js';
import type { Logger } from 'pino';
import { BridgeError } from '../../src/core/errors.js';

export type RouteChannelType = 'text' | 'forum';

/** What the bridge needs in every route channel, by the names Discord's settings show. */
const required: readonly (readonly [string, bigint, 'all' | 'text'])[] = [
  ['View Channel', PermissionFlagsBits.ViewChannel, 'all'],
  ['Send Messages', PermissionFlagsBits.SendMessages, 'all'],
  ['Send Messages in Threads', PermissionFlagsBits.SendMessagesInThreads, 'all'],
  // A forum post is created with Send Messages; threads in a text channel need this.
  ['Create Public Threads', PermissionFlagsBits.CreatePublicThreads, 'text'],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory, 'all'],
  ['Add Reactions', PermissionFlagsBits.AddReactions, 'all'],
  ['Attach Files', PermissionFlagsBits.AttachFiles, 'all'],
];

/**
 * Checks every route channel once connected: it exists, is a text or forum channel, and the bot has what it
 * needs there. A missing permission is a `credentials_invalid` error naming the permission, the channel and
 * the fix; a missing Manage Webhooks only degrades (customer names go into the text), so it is a warning and
 * the channel is reported in `noWebhooks`.
 */
export async function checkRouteChannels(
  client: Client<true>,
  channels: readonly string[],
  log: Logger,
): Promise<{ types: Map<string, RouteChannelType>; noWebhooks: string[] }> {
  const types = new Map<string, RouteChannelType>();
  const noWebhooks: string[] = [];
  for (const id of new Set(channels)) {
    const channel = await findChannel(client, id);
    if (!channel || !('guild' in channel)) {
      throw new BridgeError(
        'credentials_invalid',
        `Discord channel ${id} (a route's discord.channel) was not found, or the bot cannot see it: check the id (Developer Mode → Copy Channel ID) and that the bot is in that server with View Channel`,
      );
    }
    const type =
      channel.type === ChannelType.GuildText ? 'text' : channel.type === ChannelType.GuildForum ? 'forum' : undefined;
    if (!type) {
      throw new BridgeError(
        'credentials_invalid',
        `Discord channel #${channel.name} (${id}) is neither a text nor a forum channel: point the route at one of those`,
      );
    }
    types.set(id, type);
    const permissions = channel.permissionsFor(client.user);
    if (!permissions) continue;
    const missing = required
      .filter(([, flag, where]) => (where === 'all' || where === type) && !permissions.has(flag))
      .map(([name]) => name);
    if (missing.length > 0) {
      throw new BridgeError(
        'credentials_invalid',
        `Discord: the bot lacks ${missing.join(', ')} in #${channel.name} (${id}); grant ${missing.length > 1 ? 'them' : 'it'} to the bot's role in Server Settings → Roles, or in the channel's Permissions`,
      );
    }
    if (!permissions.has(PermissionFlagsBits.ManageWebhooks)) {
      noWebhooks.push(id);
      log.warn(
        { channel: id, channel_name: channel.name },
        'Discord: the bot lacks Manage Webhooks in this channel; customer texts will be posted by the bot with the name in the text (grant Manage Webhooks to show names and avatars)',
      );
    }
  }
  return { types, noWebhooks };
}

async function findChannel(client: Client<true>, id: string): Promise<GuildBasedChannel | undefined> {
  const cached = client.channels.cache.get(id);
  if (cached) return cached as GuildBasedChannel;
  try {
    return ((await client.channels.fetch(id)) as GuildBasedChannel | null) ?? undefined;
  } catch {
    return undefined;
  }
}
