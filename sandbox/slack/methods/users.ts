import type { SlackCore } from '../core.js';
import { readString } from '../params.js';
import { requireScope, SlackApiError, type MethodSpec } from './method.js';

function userObject(core: SlackCore, id: string): Record<string, unknown> | undefined {
  const { team, bot } = core.config;
  if (id === bot.userId) {
    return {
      id,
      team_id: team.id,
      name: bot.name,
      deleted: false,
      real_name: bot.name,
      is_bot: true,
      is_app_user: false,
      updated: core.createdSec,
      profile: {
        bot_id: bot.botId,
        api_app_id: bot.appId,
        real_name: bot.name,
        real_name_normalized: bot.name,
        display_name: '',
        display_name_normalized: '',
        always_active: true,
        team: team.id,
      },
    };
  }
  const user = core.state.users.get(id);
  if (!user) return undefined;
  const image = user.image72 ?? `${core.origin}/avatars/${user.id}.svg`;
  return {
    id: user.id,
    team_id: team.id,
    name: user.name,
    deleted: false,
    real_name: user.realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: false,
    is_app_user: false,
    updated: core.createdSec,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.displayName,
      display_name_normalized: user.displayName,
      image_24: image,
      image_32: image,
      image_48: image,
      image_72: image,
      image_192: image,
      team: team.id,
    },
  };
}

export const usersInfo: MethodSpec = {
  token: 'bot',
  handle: ({ core, params }) => {
    requireScope(core, 'users:read');
    const user = userObject(core, readString(params, 'user') ?? '');
    if (!user) throw new SlackApiError('user_not_found');
    return { body: { user } };
  },
};
