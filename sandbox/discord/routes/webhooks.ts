import { createHash, randomBytes } from 'node:crypto';
import type { SimCore } from '../core.js';
import { DiscordApiError, missingPermissions, unknownChannel, unknownWebhook, wrongChannelType } from '../errors.js';
import { deleteMessage, editMessage } from '../message-edit.js';
import type { SimChannel, SimWebhook } from '../types.js';
import { wireWebhook } from '../wire-guild.js';
import { viewableTarget } from './access.js';
import { restMessage } from './messages.js';
import { noContent, ok, param, type Route, type RouteContext, type RouteResult } from './route.js';
import { executeWebhook, readWebhookName, webhookMessage } from './webhook-execute.js';

/** Discord allows 15 webhooks per channel. */
const MAX_WEBHOOKS_PER_CHANNEL = 15;

function webhookChannel(context: RouteContext): SimChannel {
  const target = viewableTarget(context);
  if (target.kind === 'thread') throw wrongChannelType();
  if (!context.core.state.permissionsIn(target).manageWebhooks) throw missingPermissions();
  return target.channel;
}

function announceWebhooks(core: SimCore, channelId: string): void {
  core.gateway.dispatch('WEBHOOKS_UPDATE', { guild_id: core.state.guild.id, channel_id: channelId });
}

function createWebhook(context: RouteContext): RouteResult {
  const { core } = context;
  const channel = webhookChannel(context);
  const name = readWebhookName(context.body['name'], 'name');
  const existing = [...core.state.webhooks.values()].filter((webhook) => webhook.channel_id === channel.id);
  if (existing.length >= MAX_WEBHOOKS_PER_CHANNEL) {
    throw new DiscordApiError(400, 30007, `Maximum number of webhooks reached (${MAX_WEBHOOKS_PER_CHANNEL})`);
  }
  const avatar = context.body['avatar'];
  const webhook: SimWebhook = {
    id: core.ids.next(),
    token: randomBytes(51).toString('base64url'),
    type: 1,
    channel_id: channel.id,
    guild_id: core.state.guild.id,
    name,
    avatar: typeof avatar === 'string' ? createHash('md5').update(avatar).digest('hex') : null,
    application_id: core.state.bot.id,
    creator_id: core.state.bot.id,
  };
  core.state.webhooks.set(webhook.id, webhook);
  announceWebhooks(core, channel.id);
  return ok(wireWebhook(core.state, webhook));
}

function listChannelWebhooks(context: RouteContext): RouteResult {
  const channel = webhookChannel(context);
  const { state } = context.core;
  return ok([...state.webhooks.values()].filter((w) => w.channel_id === channel.id).map((w) => wireWebhook(state, w)));
}

function requireWebhook(context: RouteContext, checkToken: boolean): SimWebhook {
  const webhook = context.core.state.webhooks.get(param(context, 'webhook'));
  if (!webhook) throw unknownWebhook();
  if (checkToken && webhook.token !== param(context, 'token')) {
    throw new DiscordApiError(401, 50027, 'Invalid Webhook Token');
  }
  return webhook;
}

function removeWebhook(context: RouteContext, checkToken: boolean): RouteResult {
  const webhook = requireWebhook(context, checkToken);
  context.core.state.webhooks.delete(webhook.id);
  announceWebhooks(context.core, webhook.channel_id);
  return noContent();
}

function patchWebhook(context: RouteContext): RouteResult {
  const webhook = requireWebhook(context, false);
  if (context.body['name'] !== undefined) webhook.name = readWebhookName(context.body['name'], 'name');
  const channelId = context.body['channel_id'];
  if (typeof channelId === 'string') {
    const channel = context.core.state.channels.get(channelId);
    if (!channel) throw unknownChannel();
    webhook.channel_id = channel.id;
  }
  announceWebhooks(context.core, webhook.channel_id);
  return ok(wireWebhook(context.core.state, webhook));
}

function getWebhookMessage(context: RouteContext): RouteResult {
  const { message } = webhookMessage(context, requireWebhook(context, true));
  return ok(restMessage(context, message));
}

function patchWebhookMessage(context: RouteContext): RouteResult {
  const { target, message } = webhookMessage(context, requireWebhook(context, true));
  return ok(restMessage(context, editMessage(context.core, target, message, context.body, context.files)));
}

function deleteWebhookMessage(context: RouteContext): RouteResult {
  const { target, message } = webhookMessage(context, requireWebhook(context, true));
  deleteMessage(context.core, target, message);
  return noContent();
}

const messagePath = '/webhooks/:webhook/:token/messages/:message';

export const webhookRoutes: Route[] = [
  { method: 'POST', template: '/channels/:channel/webhooks', auth: true, handle: createWebhook },
  { method: 'GET', template: '/channels/:channel/webhooks', auth: true, handle: listChannelWebhooks },
  {
    method: 'GET',
    template: '/guilds/:guild/webhooks',
    auth: true,
    handle: ({ core }) => ok([...core.state.webhooks.values()].map((webhook) => wireWebhook(core.state, webhook))),
  },
  {
    method: 'GET',
    template: '/webhooks/:webhook',
    auth: true,
    handle: (c) => ok(wireWebhook(c.core.state, requireWebhook(c, false))),
  },
  { method: 'PATCH', template: '/webhooks/:webhook', auth: true, handle: patchWebhook },
  { method: 'DELETE', template: '/webhooks/:webhook', auth: true, handle: (c) => removeWebhook(c, false) },
  {
    method: 'GET',
    template: '/webhooks/:webhook/:token',
    auth: false,
    // With its token, a webhook is shown without the creating user.
    handle: (c) => {
      const { user: _user, ...rest } = wireWebhook(c.core.state, requireWebhook(c, true));
      return ok(rest);
    },
  },
  { method: 'DELETE', template: '/webhooks/:webhook/:token', auth: false, handle: (c) => removeWebhook(c, true) },
  {
    method: 'POST',
    template: '/webhooks/:webhook/:token',
    auth: false,
    handle: (c) => executeWebhook(c, requireWebhook(c, true)),
  },
  { method: 'GET', template: messagePath, auth: false, handle: getWebhookMessage },
  { method: 'PATCH', template: messagePath, auth: false, handle: patchWebhookMessage },
  { method: 'DELETE', template: messagePath, auth: false, handle: deleteWebhookMessage },
];
