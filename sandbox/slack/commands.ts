import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../shared/http-io.js';
import type { CommandTarget, SlackCore } from './core.js';
import { VERIFICATION_TOKEN } from './delivery.js';
import { teamDomain } from './files.js';
import { newSecretToken, newTriggerId } from './ids.js';
import { buildBotMessage } from './messages.js';
import { requireChannel, requireUser } from './humans.js';
import { addMessage, deliverInOrder } from './timeline.js';
import type { SimEphemeral, SlashCommandInput } from './types.js';

export const COMMANDS_PREFIX = '/commands/';

/**
 * A person runs a slash command: delivered as a `slash_commands` envelope or a signed form POST. `ack` resolves
 * with what the app acked (Socket Mode payload / HTTP body); a text in it is shown to the person, like Slack does.
 */
export async function runSlashCommand(
  core: SlackCore,
  input: SlashCommandInput,
): Promise<{ envelopeId: string | undefined; ack: Promise<unknown> }> {
  const channel = requireChannel(core, input.channel);
  requireUser(core, input.user);
  const responseToken = newSecretToken();
  const target: CommandTarget = { channel: channel.id, user: input.user };
  core.commandTargets.set(responseToken, target);
  const fields: Record<string, string> = {
    token: VERIFICATION_TOKEN,
    team_id: core.config.team.id,
    team_domain: teamDomain(core),
    channel_id: channel.id,
    channel_name: channel.isPrivate ? 'privategroup' : channel.name,
    user_id: input.user,
    user_name: core.state.users.get(input.user)?.name ?? input.user,
    command: input.command,
    text: input.text,
    api_app_id: core.config.bot.appId,
    is_enterprise_install: 'false',
    response_url: `${core.origin}${COMMANDS_PREFIX}${core.config.team.id}/${responseToken}`,
    trigger_id: newTriggerId(),
  };
  const delivery = await core.dispatcher.deliverCommand(fields);
  const ack = delivery.ack.then((payload) => {
    respond(core, target, payload, 'command_ack');
    return payload;
  });
  ack.catch(() => undefined);
  return { envelopeId: delivery.envelopeId, ack };
}

/** POST to a response_url: `{text, blocks, response_type}`; ephemeral by default, `in_channel` posts as the app. */
export async function handleResponseUrl(
  core: SlackCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): Promise<boolean> {
  if (!url.pathname.startsWith(COMMANDS_PREFIX) || req.method !== 'POST') return false;
  const token = url.pathname.split('/').at(-1) ?? '';
  const target = core.commandTargets.get(token);
  if (!target) {
    sendText(res, 404, 'no_response_url', 'text/plain');
    return true;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    sendText(res, 400, 'invalid_payload', 'text/plain');
    return true;
  }
  respond(core, target, body, 'response_url');
  sendText(res, 200, 'ok', 'text/plain');
  return true;
}

function respond(core: SlackCore, target: CommandTarget, payload: unknown, source: SimEphemeral['source']): void {
  const body = typeof payload === 'string' ? { text: payload } : payload;
  if (typeof body !== 'object' || body === null) return;
  const record = body as Record<string, unknown>;
  const text = typeof record['text'] === 'string' ? record['text'] : '';
  const blocks = Array.isArray(record['blocks']) ? (record['blocks'] as unknown[]) : undefined;
  if (text === '' && blocks === undefined) return;
  if (record['response_type'] === 'in_channel') {
    const channel = requireChannel(core, target.channel);
    const message = buildBotMessage(core.config, core.createdSec, {
      ts: core.nextTs(),
      text,
      ...(blocks === undefined ? {} : { blocks }),
    });
    core.track(deliverInOrder(core, [addMessage(core, channel, message)]));
    return;
  }
  const ephemeral: SimEphemeral = {
    channel: target.channel,
    user: target.user,
    text,
    threadTs: undefined,
    messageTs: core.nextTs(),
    blocks,
    source,
    at: core.now(),
  };
  core.state.ephemerals.push(ephemeral);
  core.emit('ephemeral', ephemeral);
}
