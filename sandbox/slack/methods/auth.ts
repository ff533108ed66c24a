import { teamDomain } from '../files.js';
import type { MethodSpec } from './method.js';

export const authTest: MethodSpec = {
  token: 'bot',
  handle: ({ core }) => ({
    body: {
      url: `https://${teamDomain(core)}.slack.com/`,
      team: core.config.team.name,
      user: core.config.bot.name,
      team_id: core.config.team.id,
      user_id: core.config.bot.userId,
      bot_id: core.config.bot.botId,
      is_enterprise_install: false,
    },
  }),
};

/** Socket Mode: a one-time WebSocket URL (the app token is checked by the pipeline). */
export const appsConnectionsOpen: MethodSpec = {
  token: 'app',
  handle: ({ core }) => {
    const ticket = core.hub.issueTicket();
    const wsOrigin = core.origin.replace(/^http/, 'ws');
    return { body: { url: `${wsOrigin}/link/?ticket=${ticket}&app_id=${core.config.bot.appId}` } };
  },
};
