import type { SlackConfig } from '../../../bridges/slack/config.js';
import type { RouteConfig } from '../config-schema.js';
import { failed, passed, type CheckRow } from './check-row.js';
import { asRecord, stringField, UnreachableError } from './fetch-json.js';
import { routesLabel, routeTargets, type RouteTarget } from './route-targets.js';
import { callSlackMethod, type SlackAnswer } from './slack-api.js';
import { slackBotScopes } from './slack-scopes.js';

const platform = 'Slack';

/** Slack codes that mean the token itself is wrong, not the request. */
const tokenErrors = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

interface SlackCheckContext {
  readonly config: SlackConfig;
  readonly timeoutMs: number;
  readonly publicUrl: string | undefined;
}

/**
 * Slack: the bot token (auth.test) and its scopes, each route channel (exists, the bot is a member),
 * and the way events arrive (the Socket Mode app token, or the signing secret for HTTP events).
 */
export async function checkSlack(
  config: SlackConfig,
  routes: readonly RouteConfig[],
  options: { timeoutMs: number; publicUrl: string | undefined },
): Promise<CheckRow[]> {
  const context: SlackCheckContext = { config, ...options };
  const rows: CheckRow[] = [];
  const auth = await call(context, config.botToken, 'auth.test');
  const what = 'bot token (auth.test)';
  if (auth instanceof UnreachableError || !auth.ok) {
    rows.push(failed(platform, what, failureText(auth), botTokenFix(auth, config.apiUrl)));
    if (routeTargets(routes, 'slack').length > 0) {
      rows.push(failed(platform, 'route channels', 'not checked: the bot token failed', 'fix the bot token first'));
    }
  } else {
    const bot = stringField(auth.body, 'user') ?? 'the bot';
    rows.push(passed(platform, what, `valid: @${bot} in ${stringField(auth.body, 'team') ?? 'the workspace'}`));
    rows.push(scopesRow(auth));
    for (const target of routeTargets(routes, 'slack')) rows.push(await channelRow(context, target, bot));
  }
  rows.push(await eventsRow(context));
  return rows;
}

function call(
  context: SlackCheckContext,
  token: string,
  method: string,
  params?: Record<string, string>,
): Promise<SlackAnswer | UnreachableError> {
  return callSlackMethod({
    apiUrl: context.config.apiUrl,
    token,
    method,
    timeoutMs: context.timeoutMs,
    ...(params ? { params } : {}),
  }).catch((error: unknown) => {
    if (error instanceof UnreachableError) return error;
    throw error;
  });
}

function failureText(answer: SlackAnswer | UnreachableError): string {
  return answer instanceof UnreachableError
    ? `unreachable: ${answer.message}`
    : `refused: ${answer.error ?? 'unknown_error'}`;
}

function botTokenFix(answer: SlackAnswer | UnreachableError, apiUrl: string): string {
  if (answer instanceof UnreachableError) return `check slack.apiUrl (${apiUrl}) and that this machine can reach Slack`;
  if (answer.error !== undefined && tokenErrors.has(answer.error)) {
    return "slack.botToken: copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page into SLACK_BOT_TOKEN (reinstall the app if it was revoked)";
  }
  if (answer.error === 'ratelimited') return 'Slack is rate limiting this token; try again in a minute';
  return `Slack answered ${answer.error ?? 'an error'}; check slack.apiUrl (${apiUrl}) and slack.botToken`;
}

function scopesRow(auth: SlackAnswer): CheckRow {
  const what = 'bot scopes';
  if (auth.scopes === undefined) {
    return failed(
      platform,
      what,
      'Slack did not report the scopes (no x-oauth-scopes header)',
      'check that slack.apiUrl points at the Slack Web API itself, not a proxy that drops headers',
    );
  }
  const granted = new Set(auth.scopes);
  const missing = slackBotScopes.filter(({ scope }) => !granted.has(scope));
  if (missing.length === 0) return passed(platform, what, `all ${slackBotScopes.length} needed scopes granted`);
  return failed(
    platform,
    what,
    `missing ${missing.map(({ scope }) => scope).join(', ')}`,
    `add ${missing.map(({ scope, why }) => `${scope} (${why})`).join('; ')} under OAuth & Permissions → Bot Token Scopes (config/slack-app-manifest.yaml lists them all), then reinstall the app and update SLACK_BOT_TOKEN if it changed`,
  );
}

async function channelRow(context: SlackCheckContext, target: RouteTarget, bot: string): Promise<CheckRow> {
  const where = routesLabel(target);
  const what = `channel ${target.id} (${where})`;
  const answer = await call(context, context.config.botToken, 'conversations.info', { channel: target.id });
  if (answer instanceof UnreachableError) {
    return failed(platform, what, failureText(answer), 'check that this machine can reach Slack, then run check again');
  }
  if (answer.error === 'channel_not_found') {
    return failed(
      platform,
      what,
      'not found',
      `check ${where}.slack.channel (in Slack: channel details → About → Channel ID); a private channel stays hidden until the bot is invited: /invite @${bot}`,
    );
  }
  if (answer.error === 'missing_scope') {
    return failed(
      platform,
      what,
      'cannot look it up: missing_scope',
      'add the channels:read and groups:read scopes (see the scopes row)',
    );
  }
  if (!answer.ok) {
    return failed(platform, what, failureText(answer), `check ${where}.slack.channel and the bot token`);
  }
  const channel = asRecord(answer.body['channel']);
  const name = `#${stringField(channel, 'name') ?? target.id}`;
  if (channel['is_archived'] === true) {
    return failed(platform, what, `${name} is archived`, `unarchive ${name} or route ${where} to another channel`);
  }
  if (channel['is_member'] !== true) {
    return failed(
      platform,
      what,
      `${name} exists but the bot is not a member`,
      `invite the bot: in ${name} type /invite @${bot} (it only sees messages of channels it is in)`,
    );
  }
  return passed(platform, what, `${name}; the bot is a member`);
}

/** Socket Mode: `apps.connections.open` with the app token proves it (the WebSocket is not opened). */
async function eventsRow(context: SlackCheckContext): Promise<CheckRow> {
  const { appToken } = context.config;
  if (appToken === undefined) {
    const url = `${context.publicUrl?.replace(/\/+$/, '') ?? 'https://<this server>'}/slack/events`;
    return passed(
      platform,
      'HTTP Events API (signingSecret)',
      `signing secret set; Slack's Event Subscriptions Request URL must be ${url}`,
    );
  }
  const what = 'Socket Mode app token (apps.connections.open)';
  const answer = await call(context, appToken, 'apps.connections.open');
  if (answer instanceof UnreachableError) {
    return failed(platform, what, failureText(answer), 'check that this machine can reach Slack, then run check again');
  }
  if (answer.ok) return passed(platform, what, 'valid; Socket Mode can connect');
  return failed(
    platform,
    what,
    failureText(answer),
    'slack.appToken: turn Socket Mode on (Settings → Socket Mode), generate an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN',
  );
}
