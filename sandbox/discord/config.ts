import type { BotPermissions, ChannelInput, DiscordSimulatorOptions, MemberInput } from './types.js';

/** Options with every default applied. */
export interface SimConfig {
  host: string;
  port: number;
  token: string;
  bot: { id: string; username: string };
  guild: { id: string; name: string };
  channels: ChannelInput[];
  members: MemberInput[];
  roles: Array<{ id: string; name: string }>;
  messageContentIntentEnabled: boolean;
  guildMembersIntentEnabled: boolean;
  guildPresencesIntentEnabled: boolean;
  heartbeatIntervalMs: number;
  messagesPerChannel: { count: number; perMs: number } | false;
  globalPerSecond: number | false;
  webhookPerChannelPerMinute: number | false;
  uploadLimitBytes: number;
}

export const DEFAULT_TOKEN = 'discord-test-token';

const DEFAULT_CHANNELS: ChannelInput[] = [
  { id: '112233445566778899', name: 'support', type: 0 },
  { id: '112233445566778800', name: 'customers', type: 15 },
];

const DEFAULT_MEMBERS: MemberInput[] = [
  { id: '444444444444444441', username: 'alice', globalName: 'Alice' },
  { id: '444444444444444442', username: 'bob', globalName: 'Bob' },
];

const SNOWFLAKE = /^\d{17,20}$/;

function requireSnowflake(id: string, what: string): void {
  // discord.js runs BigInt(id) in places, so non-numeric ids break it far from the cause.
  if (!SNOWFLAKE.test(id)) throw new TypeError(`Discord simulator: ${what} id "${id}" is not a 17–20 digit snowflake`);
}

export function resolveConfig(options: DiscordSimulatorOptions): SimConfig {
  const config: SimConfig = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token ?? DEFAULT_TOKEN,
    bot: options.bot ?? { id: '111111111111111111', username: 'threadline' },
    guild: options.guild ?? { id: '333333333333333333', name: 'Threadline Test' },
    channels: options.channels ?? DEFAULT_CHANNELS,
    members: options.members ?? DEFAULT_MEMBERS,
    roles: options.roles ?? [],
    messageContentIntentEnabled: options.messageContentIntentEnabled ?? true,
    guildMembersIntentEnabled: options.guildMembersIntentEnabled ?? true,
    guildPresencesIntentEnabled: options.guildPresencesIntentEnabled ?? true,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
    messagesPerChannel:
      options.rateLimits?.messagesPerChannel === undefined
        ? { count: 5, perMs: 5000 }
        : options.rateLimits.messagesPerChannel,
    globalPerSecond: options.rateLimits?.globalPerSecond ?? 50,
    webhookPerChannelPerMinute: options.rateLimits?.webhookPerChannelPerMinute ?? 30,
    uploadLimitBytes: options.uploadLimitBytes ?? 25 * 1024 * 1024,
  };
  requireSnowflake(config.bot.id, 'bot');
  requireSnowflake(config.guild.id, 'guild');
  for (const channel of config.channels) requireSnowflake(channel.id, `channel ${channel.name}`);
  for (const member of config.members) requireSnowflake(member.id, `member ${member.username}`);
  for (const role of config.roles) requireSnowflake(role.id, `role ${role.name}`);
  return config;
}

/** A channel's permissions with the missing flags filled in (all allowed). */
export function resolvePermissions(input: ChannelInput['botPermissions']): BotPermissions {
  return {
    manageWebhooks: input?.manageWebhooks ?? true,
    createPublicThreads: input?.createPublicThreads ?? true,
    sendMessages: input?.sendMessages ?? true,
    sendMessagesInThreads: input?.sendMessagesInThreads ?? true,
    viewChannel: input?.viewChannel ?? true,
    addReactions: input?.addReactions ?? true,
    attachFiles: input?.attachFiles ?? true,
    readMessageHistory: input?.readMessageHistory ?? true,
  };
}
