import { DiscordApiError, invalidFormBody } from '../errors.js';
import { GATEWAY_PATH } from '../gateway.js';
import { wireChannel, wireGuild, wireMember, wireRole, wireThread, wireUser } from '../wire-guild.js';
import { ok, param, type Route, type RouteContext, type RouteResult } from './route.js';

const unknownGuild = (): DiscordApiError => new DiscordApiError(404, 10004, 'Unknown Guild');
const unknownMember = (): DiscordApiError => new DiscordApiError(404, 10007, 'Unknown Member');
const unknownUser = (): DiscordApiError => new DiscordApiError(404, 10013, 'Unknown User');

function requireGuild(context: RouteContext): void {
  if (param(context, 'guild') !== context.core.state.guild.id) throw unknownGuild();
}

function gatewayUrl(context: RouteContext): string {
  return `${context.core.origin.replace(/^http/, 'ws')}${GATEWAY_PATH}`;
}

/** GET /gateway/bot: without session_start_limit discord.js's login throws. */
function gatewayBot(context: RouteContext): RouteResult {
  return ok({
    url: gatewayUrl(context),
    shards: 1,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  });
}

/** GET /applications/@me: flags carry GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19) when the intent is switched on. */
function application(context: RouteContext): RouteResult {
  const { config, state } = context.core;
  return ok({
    id: state.bot.id,
    name: state.bot.username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: config.messageContentIntentEnabled ? 1 << 19 : 0,
    team: null,
    owner: wireUser(state.members.values().next().value?.user ?? state.bot),
    bot: wireUser(state.bot),
    approximate_guild_count: 1,
  });
}

function user(context: RouteContext): RouteResult {
  const found = context.core.state.userById(param(context, 'user'));
  if (!found) throw unknownUser();
  return ok(wireUser(found));
}

function member(context: RouteContext): RouteResult {
  requireGuild(context);
  const found = context.core.state.members.get(param(context, 'user'));
  if (!found) throw unknownMember();
  return ok(wireMember(found));
}

function listMembers(context: RouteContext): RouteResult {
  requireGuild(context);
  const limit = context.query['limit'] === undefined ? 1 : Number(context.query['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalidFormBody(['limit'], 'NUMBER_TYPE_MAX', 'int value should be between 1 and 1000.');
  }
  const after = BigInt(context.query['after'] ?? '0');
  const members = [...context.core.state.members.values()]
    .filter((item) => BigInt(item.user.id) > after)
    .sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
    .slice(0, limit);
  return ok(members.map((item) => wireMember(item)));
}

export const metaRoutes: Route[] = [
  { method: 'GET', template: '/gateway', auth: false, handle: (context) => ok({ url: gatewayUrl(context) }) },
  { method: 'GET', template: '/gateway/bot', auth: true, handle: gatewayBot },
  {
    method: 'GET',
    template: '/users/@me',
    auth: true,
    handle: ({ core }) => ok({ ...wireUser(core.state.bot), verified: true, mfa_enabled: false }),
  },
  {
    method: 'GET',
    template: '/users/@me/guilds',
    auth: true,
    handle: ({ core }) =>
      ok([
        {
          id: core.state.guild.id,
          name: core.state.guild.name,
          icon: null,
          owner: false,
          permissions: '0',
          features: [],
        },
      ]),
  },
  { method: 'GET', template: '/users/:user', auth: true, handle: user },
  { method: 'GET', template: '/applications/@me', auth: true, handle: application },
  { method: 'GET', template: '/oauth2/applications/@me', auth: true, handle: application },
  {
    method: 'GET',
    template: '/guilds/:guild',
    auth: true,
    handle: (context) => {
      requireGuild(context);
      return ok(wireGuild(context.core.state));
    },
  },
  {
    method: 'GET',
    template: '/guilds/:guild/roles',
    auth: true,
    handle: (context) => {
      requireGuild(context);
      return ok([...context.core.state.roles.values()].map(wireRole));
    },
  },
  { method: 'GET', template: '/guilds/:guild/members', auth: true, handle: listMembers },
  { method: 'GET', template: '/guilds/:guild/members/:user', auth: true, handle: member },
  {
    method: 'GET',
    template: '/guilds/:guild/channels',
    auth: true,
    handle: (context) => {
      requireGuild(context);
      const { state } = context.core;
      return ok([...state.channels.values()].map((channel) => wireChannel(state, channel)));
    },
  },
  {
    method: 'GET',
    template: '/guilds/:guild/threads/active',
    auth: true,
    handle: (context) => {
      requireGuild(context);
      const { state } = context.core;
      const threads = [...state.threads.values()].filter((thread) => !thread.archived);
      return ok({ threads: threads.map((thread) => wireThread(state, thread)), members: [] });
    },
  },
];
