import { botOverwrite } from './permissions.js';
import type { SimState } from './state.js';
import type { SimChannel, SimMember, SimRole, SimThread, SimUser, SimWebhook } from './types.js';

type Json = Record<string, unknown>;

export function wireUser(user: SimUser): Json {
  return { ...user, public_flags: 0, flags: 0, banner: null, accent_color: null, avatar_decoration_data: null };
}

/** A guild member; `withUser: false` for the `member` field of MESSAGE_CREATE, which omits it. */
export function wireMember(member: SimMember, withUser = true): Json {
  return {
    ...(withUser ? { user: wireUser(member.user) } : {}),
    roles: member.roles,
    joined_at: member.joined_at,
    nick: null,
    avatar: null,
    banner: null,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function wireRole(role: SimRole): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: role.managed,
    mentionable: false,
    flags: 0,
    ...(role.botId === undefined ? {} : { tags: { bot_id: role.botId } }),
  };
}

/** A text or forum channel; GUILD_CREATE leaves out `guild_id`, REST includes it. */
export function wireChannel(state: SimState, channel: SimChannel, withGuildId = true): Json {
  const overwrite = botOverwrite(state.bot.id, channel.botPermissions);
  const base: Json = {
    id: channel.id,
    type: channel.type,
    ...(withGuildId ? { guild_id: state.guild.id } : {}),
    name: channel.name,
    position: channel.position,
    permission_overwrites: overwrite ? [overwrite] : [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: channel.last_message_id,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (channel.type === 0) return base;
  return {
    ...base,
    available_tags: [],
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    default_thread_rate_limit_per_user: 0,
    template: '',
  };
}

export function wireThread(state: SimState, thread: SimThread): Json {
  const parent = state.channels.get(thread.parent_id);
  return {
    id: thread.id,
    type: thread.type,
    guild_id: thread.guild_id,
    parent_id: thread.parent_id,
    owner_id: thread.owner_id,
    name: thread.name,
    last_message_id: thread.last_message_id,
    message_count: thread.message_count,
    member_count: 1,
    rate_limit_per_user: 0,
    flags: 0,
    total_message_sent: thread.total_message_sent,
    thread_metadata: {
      archived: thread.archived,
      auto_archive_duration: thread.auto_archive_duration,
      archive_timestamp: thread.archive_timestamp,
      locked: thread.locked,
      create_timestamp: thread.create_timestamp,
      ...(thread.type === 12 ? { invitable: true } : {}),
    },
    ...(parent?.type === 15 ? { applied_tags: thread.applied_tags } : {}),
  };
}

export function wireWebhook(state: SimState, webhook: SimWebhook, withToken = true): Json {
  const creator = state.userById(webhook.creator_id);
  return {
    id: webhook.id,
    type: webhook.type,
    guild_id: webhook.guild_id,
    channel_id: webhook.channel_id,
    name: webhook.name,
    avatar: webhook.avatar,
    application_id: webhook.application_id,
    ...(withToken ? { token: webhook.token } : {}),
    ...(creator ? { user: wireUser(creator) } : {}),
  };
}

function guildOwnerId(state: SimState): string {
  for (const member of state.members.values()) if (member.user.bot !== true) return member.user.id;
  return '100000000000000000';
}

/** The guild object of GET /guilds/:id. */
export function wireGuild(state: SimState): Json {
  const firstText = [...state.channels.values()].find((channel) => channel.type === 0);
  return {
    id: state.guild.id,
    name: state.guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guildOwnerId(state),
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...state.roles.values()].map(wireRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: firstText?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    incidents_data: null,
  };
}

/** The GUILD_CREATE dispatch: the guild plus channels, active threads and members, as after IDENTIFY. */
export function wireGuildCreate(state: SimState): Json {
  return {
    ...wireGuild(state),
    joined_at: state.members.get(state.bot.id)?.joined_at,
    large: false,
    unavailable: false,
    lazy: true,
    member_count: state.members.size,
    members: [...state.members.values()].map((member) => wireMember(member)),
    channels: [...state.channels.values()].map((channel) => wireChannel(state, channel, false)),
    threads: [...state.threads.values()]
      .filter((thread) => !thread.archived)
      .map((thread) => wireThread(state, thread)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    activity_instances: [],
  };
}
