import type { DiscordConfig } from '../../../bridges/discord/config.js';
import type { RouteConfig } from '../config-schema.js';
import { failed, passed, type CheckRow } from './check-row.js';
import { describeDiscordFailure, tryGetDiscord, type DiscordResult } from './discord-api.js';
import { guildFactsReader, overwritesOf, type GuildFactsReader } from './discord-guild.js';
import {
  channelPermissions,
  discordPermissions,
  invitePermissions,
  missingPermissions,
  type DiscordPermission,
} from './discord-permissions.js';
import { asRecord, stringField, UnreachableError } from './fetch-json.js';
import { routesLabel, routeTargets, type RouteTarget } from './route-targets.js';

const platform = 'Discord';

/** GATEWAY_MESSAGE_CONTENT (verified apps) and GATEWAY_MESSAGE_CONTENT_LIMITED (under 100 servers). */
const messageContentFlags = (1 << 18) | (1 << 19);

const channelTypes: Record<number, string> = {
  0: 'text channel',
  2: 'voice channel',
  4: 'category',
  5: 'announcement channel',
  13: 'stage channel',
  15: 'forum channel',
  16: 'media channel',
};

interface DiscordCheckContext {
  readonly config: DiscordConfig;
  readonly get: (path: string) => Promise<DiscordResult>;
  readonly botId: string;
  /** For the invite URL in fixes. */
  readonly applicationId: string | undefined;
  /** Server lookups, shared by the channels of one server. */
  readonly guildFacts: GuildFactsReader;
}

/**
 * Discord: the bot token, the Message Content intent, and each route channel (exists, is a text or forum
 * channel, and the bot's computed permissions there include what the bridge uses).
 */
export async function checkDiscord(
  config: DiscordConfig,
  routes: readonly RouteConfig[],
  options: { timeoutMs: number },
): Promise<CheckRow[]> {
  const get = (path: string) =>
    tryGetDiscord({ apiUrl: config.apiUrl, token: config.token, path, timeoutMs: options.timeoutMs });
  const me = await get('/users/@me');
  const what = 'bot token (GET /users/@me)';
  if (me instanceof UnreachableError || !me.ok) {
    const rows = [failed(platform, what, describeDiscordFailure(me), tokenFix(me, config.apiUrl))];
    if (routeTargets(routes, 'discord').length > 0) {
      rows.push(failed(platform, 'route channels', 'not checked: the bot token failed', 'fix the bot token first'));
    }
    return rows;
  }
  const bot = asRecord(me.body);
  const botId = stringField(bot, 'id') ?? '';
  const rows = [passed(platform, what, `valid: ${stringField(bot, 'username') ?? 'the bot'} (${botId})`)];
  const app = await get('/applications/@me');
  const application = app instanceof UnreachableError || !app.ok ? undefined : asRecord(app.body);
  rows.push(intentRow(app, application));
  const context: DiscordCheckContext = {
    config,
    get,
    botId,
    applicationId: application && stringField(application, 'id'),
    guildFacts: guildFactsReader(get, botId),
  };
  for (const target of routeTargets(routes, 'discord')) rows.push(...(await channelRows(context, target)));
  return rows;
}

function tokenFix(answer: DiscordResult, apiUrl: string): string {
  if (answer instanceof UnreachableError)
    return `check discord.apiUrl (${apiUrl}) and that this machine can reach Discord`;
  if (!answer.ok && answer.status === 401) {
    return 'discord.token: Developer Portal → your app → Bot → Reset Token, and put the new token in DISCORD_TOKEN';
  }
  return `check discord.apiUrl (${apiUrl}) and discord.token`;
}

function intentRow(app: DiscordResult, application: Record<string, unknown> | undefined): CheckRow {
  const what = 'Message Content intent';
  if (!application) {
    return failed(platform, what, `cannot read the application: ${describeDiscordFailure(app)}`, 'check discord.token');
  }
  const flags = typeof application['flags'] === 'number' ? application['flags'] : 0;
  if ((flags & messageContentFlags) !== 0) return passed(platform, what, 'enabled');
  return failed(
    platform,
    what,
    'not enabled: the bot would see empty messages',
    'Developer Portal → your app → Bot → Privileged Gateway Intents: turn on Message Content Intent',
  );
}

async function channelRows(context: DiscordCheckContext, target: RouteTarget): Promise<CheckRow[]> {
  const where = routesLabel(target);
  const what = `channel ${target.id} (${where})`;
  const answer = await context.get(`/channels/${target.id}`);
  if (answer instanceof UnreachableError) {
    return [
      failed(
        platform,
        what,
        describeDiscordFailure(answer),
        'check that this machine can reach Discord, then run check again',
      ),
    ];
  }
  if (!answer.ok) {
    if (answer.status === 404) {
      return [
        failed(
          platform,
          what,
          'not found',
          `check ${where}.discord.channel (Developer Mode on, right-click the channel → Copy Channel ID) and that the bot was invited to that server${inviteHint(context)}`,
        ),
      ];
    }
    if (answer.status === 403) {
      return [
        failed(
          platform,
          what,
          'the bot cannot see it (Missing Access)',
          `allow View Channel for the bot in that channel's permissions, or invite the bot to its server${inviteHint(context)}`,
        ),
      ];
    }
    return [failed(platform, what, describeDiscordFailure(answer), `check ${where}.discord.channel`)];
  }
  const channel = asRecord(answer.body);
  const type = typeof channel['type'] === 'number' ? channel['type'] : -1;
  const name = `#${stringField(channel, 'name') ?? target.id}`;
  const kind = channelTypes[type] ?? `channel of type ${type}`;
  if (type !== 0 && type !== 15) {
    return [failed(platform, what, `${name} is a ${kind}`, `route ${where} to a text or forum channel`)];
  }
  const rows = [passed(platform, what, `${name}, a ${kind}`)];
  rows.push(...(await permissionRows(context, channel, name, type === 15)));
  return rows;
}

async function permissionRows(
  context: DiscordCheckContext,
  channel: Record<string, unknown>,
  name: string,
  forum: boolean,
): Promise<CheckRow[]> {
  const what = `bot permissions in ${name}`;
  const guildId = stringField(channel, 'guild_id');
  if (guildId === undefined) return [failed(platform, what, 'not a server channel', 'route to a channel of a server')];
  const guild = await context.guildFacts(guildId);
  if (typeof guild === 'string') {
    return [failed(platform, what, `cannot compute: ${guild}`, 'check that the bot is still a member of the server')];
  }
  const granted = channelPermissions({
    guildId,
    ownerId: guild.ownerId,
    roles: guild.roles,
    memberId: context.botId,
    memberRoles: guild.botRoles,
    overwrites: overwritesOf(channel),
  });
  // A forum post is created with Send Messages; Create Public Threads is for threads in text channels.
  const wanted: DiscordPermission[] = [
    'viewChannel',
    'sendMessages',
    'sendMessagesInThreads',
    ...(forum ? [] : (['createPublicThreads'] as const)),
    'readMessageHistory',
    'addReactions',
    'attachFiles',
  ];
  const missing = missingPermissions(granted, wanted);
  const rows =
    missing.length === 0
      ? [passed(platform, what, `all ${wanted.length} needed permissions granted`)]
      : [
          failed(
            platform,
            what,
            `missing ${namesOf(missing)}`,
            `in ${name} → Edit Channel → Permissions, allow ${namesOf(missing)} for the bot (or its role)${inviteHint(context)}`,
          ),
        ];
  const webhooksWhat = `Manage Webhooks in ${name}`;
  rows.push(
    missingPermissions(granted, ['manageWebhooks']).length === 0
      ? passed(platform, webhooksWhat, 'granted: customers show with their own names')
      : failed(
          platform,
          webhooksWhat,
          'missing: messages show as bot posts',
          `grant Manage Webhooks (in ${name} → Edit Channel → Permissions, for the bot) so customers show with their names, or accept bot posts`,
        ),
  );
  return rows;
}

function namesOf(permissions: readonly DiscordPermission[]): string {
  return permissions.map((permission) => discordPermissions[permission].name).join(', ');
}

function inviteHint(context: DiscordCheckContext): string {
  const client = context.applicationId ?? '<application id>';
  return `; the invite URL with every permission the bridge needs is https://discord.com/oauth2/authorize?client_id=${client}&scope=bot&permissions=${invitePermissions()}`;
}
