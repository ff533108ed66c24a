import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { DEFAULT_SCOPES, startSlackSimulator } from '../../sandbox/slack/index.js';
import { startDiscordSimulator } from '../../sandbox/discord/index.js';
import { startMessagesDevSimulator } from '../../sandbox/imessage/index.js';
import type { DiscordSimulatorOptions } from '../../sandbox/discord/index.js';
import type { SlackSimulatorOptions } from '../../sandbox/slack/index.js';
import { parse } from 'yaml';
import { slackBotScopes } from '../../src/app/cli/slack-scopes.js';
import { runThreadline } from '../helpers/daemon-process.js';

const line = '+15551234567';
const slackChannel = 'C0123456789';
const discordChannel = '112233445566778899';
const webhookSecret = 'whsec_cli_check';

interface Sims {
  readonly imessage: Awaited<ReturnType<typeof startMessagesDevSimulator>>;
  readonly slack: Awaited<ReturnType<typeof startSlackSimulator>>;
  readonly discord: Awaited<ReturnType<typeof startDiscordSimulator>>;
}

async function startSims(
  t: TestContext,
  options: { slack?: SlackSimulatorOptions; discord?: DiscordSimulatorOptions } = {},
): Promise<Sims> {
  const [imessage, slack, discord] = await Promise.all([
    startMessagesDevSimulator(),
    startSlackSimulator(options.slack),
    startDiscordSimulator(options.discord),
  ]);
  t.after(() => Promise.all([imessage.close(), slack.close(), discord.close()]));
  return { imessage, slack, discord };
}

/** A config for the three simulators; `routes` are YAML lines under `routes:`. */
function configFor(sims: Sims, routes: string[]): string {
  return [
    'imessage:',
    `  apiUrl: ${sims.imessage.apiUrl}`,
    '  apiKey: ${MESSAGES_API_KEY}',
    '  webhookSecret: ${MESSAGES_WEBHOOK_SECRET}',
    'slack:',
    '  botToken: ${SLACK_BOT_TOKEN}',
    '  appToken: ${SLACK_APP_TOKEN}',
    `  apiUrl: ${sims.slack.apiUrl}`,
    'discord:',
    '  token: ${DISCORD_TOKEN}',
    `  apiUrl: ${sims.discord.apiUrl}`,
    'routes:',
    ...routes,
  ].join('\n');
}

function envFor(sims: Sims, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MESSAGES_API_KEY: sims.imessage.apiKey,
    MESSAGES_WEBHOOK_SECRET: webhookSecret,
    SLACK_BOT_TOKEN: sims.slack.botToken,
    SLACK_APP_TOKEN: sims.slack.appToken,
    DISCORD_TOKEN: sims.discord.token,
    ...overrides,
  };
}

/** Runs `threadline check` to its end. */
async function check(config: string, env: Record<string, string>) {
  const run = await runThreadline({ args: ['check'], config, env });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The table row whose mark, platform and check match, e.g. row(out, '✗', 'Slack', 'bot scopes'). */
function row(stdout: string, mark: '✓' | '✗', platform: string, what: string | RegExp): string {
  const found = stdout
    .split('\n')
    .find(
      (text) =>
        text.trimStart().startsWith(`${mark} `) &&
        text.includes(` ${platform} `) &&
        (typeof what === 'string' ? text.includes(what) : what.test(text)),
    );
  assert.ok(found, `a ${mark} ${platform} row for ${String(what)} in:\n${stdout}`);
  return found;
}

/** The fix printed under the ✗ row for `what`, with wrapped lines joined. */
function fixOf(stdout: string, platform: string, what: string): string {
  const lines = stdout.split('\n');
  const index = lines.indexOf(row(stdout, '✗', platform, what));
  const fix: string[] = [];
  for (const text of lines.slice(index + 1)) {
    if (fix.length === 0 ? !text.trimStart().startsWith('fix: ') : !/^ {12}\S/.test(text)) break;
    fix.push(text.trim().replace(/^fix: /, ''));
  }
  assert.ok(fix.length > 0, `a fix under the ${what} row in:\n${stdout}`);
  return fix.join(' ');
}

// Every test has its own simulators and process: they run side by side.
describe('threadline check (a separate process, against the simulators)', { concurrency: true }, () => {
  it('prints all ✓ and exits 0 when every credential and route is right, without secrets or side effects', async (t) => {
    const sims = await startSims(t);
    const env = envFor(sims);
    const result = await check(
      configFor(sims, [
        `  - line: "${line}"`,
        `    slack: { channel: ${slackChannel} }`,
        `    discord: { channel: "${discordChannel}" }`,
      ]),
      env,
    );
    assert.equal(result.code, 0, `exit 0:\n${result.stdout}\n${result.stderr}`);
    assert.doesNotMatch(result.stdout, /✗/);
    row(result.stdout, '✓', 'messages.dev', 'API key');
    row(result.stdout, '✓', 'messages.dev', `line ${line} (routes[0])`);
    row(result.stdout, '✓', 'Slack', 'bot token (auth.test)');
    row(result.stdout, '✓', 'Slack', 'bot scopes');
    assert.match(row(result.stdout, '✓', 'Slack', `channel ${slackChannel}`), /#support; the bot is a member/);
    row(result.stdout, '✓', 'Slack', 'Socket Mode app token');
    row(result.stdout, '✓', 'Discord', 'bot token');
    row(result.stdout, '✓', 'Discord', 'Message Content intent');
    assert.match(row(result.stdout, '✓', 'Discord', `channel ${discordChannel}`), /#support, a text channel/);
    row(result.stdout, '✓', 'Discord', 'bot permissions in #support');
    row(result.stdout, '✓', 'Discord', 'Manage Webhooks in #support');
    assert.match(result.stdout, /All 11 checks passed\./);
    for (const secret of Object.values(env)) {
      assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'no secret is printed');
    }
    // Nothing was posted and the Socket Mode WebSocket was never opened: check only reads.
    assert.deepEqual(sims.slack.state.messages(slackChannel), []);
    assert.equal(sims.slack.connections.length, 0);
    assert.deepEqual([...new Set(sims.slack.calls.map((call) => call.method))].sort(), [
      'apps.connections.open',
      'auth.test',
      'conversations.info',
    ]);
    assert.ok(sims.discord.calls.every((call) => call.method === 'GET'));
    assert.ok(sims.imessage.requests.every((request) => request.method === 'GET'));
  });

  it('prints each ✗ with its fix and exits 2: wrong messages.dev key, missing Slack channel, bot outside a channel, missing scope, Discord channel without permissions, no Message Content intent', async (t) => {
    const sims = await startSims(t, {
      slack: {
        channels: [
          { id: slackChannel, name: 'support', botIsMember: true },
          { id: 'C0OUTSIDE01', name: 'outside', botIsMember: false },
        ],
        scopes: DEFAULT_SCOPES.filter((scope) => scope !== 'files:write'),
      },
      discord: {
        channels: [
          {
            id: discordChannel,
            name: 'support',
            type: 0,
            botPermissions: { sendMessages: false, attachFiles: false, manageWebhooks: false },
          },
        ],
        messageContentIntentEnabled: false,
      },
    });
    const result = await check(
      configFor(sims, [
        `  - line: "${line}"`,
        '    slack: { channel: C0MISSING01 }',
        `    discord: { channel: "${discordChannel}" }`,
        '  - line: "+15557654321"',
        '    slack: { channel: C0OUTSIDE01 }',
      ]),
      envFor(sims, { MESSAGES_API_KEY: 'sk_live_wrong' }),
    );
    assert.equal(result.code, 2, `exit 2:\n${result.stdout}\n${result.stderr}`);

    assert.match(row(result.stdout, '✗', 'messages.dev', 'API key'), /401 invalid_api_key/);
    assert.match(fixOf(result.stdout, 'messages.dev', 'API key'), /MESSAGES_API_KEY/);

    assert.match(row(result.stdout, '✗', 'Slack', 'channel C0MISSING01 (routes[0])'), /not found/);
    assert.match(
      fixOf(result.stdout, 'Slack', 'channel C0MISSING01'),
      /routes\[0\]\.slack\.channel .*Channel ID.*\/invite @threadline/,
    );
    assert.match(row(result.stdout, '✗', 'Slack', 'channel C0OUTSIDE01 (routes[1])'), /not a member/);
    assert.match(fixOf(result.stdout, 'Slack', 'channel C0OUTSIDE01'), /in #outside type \/invite @threadline/);
    assert.match(row(result.stdout, '✗', 'Slack', 'bot scopes'), /missing files:write/);
    assert.match(fixOf(result.stdout, 'Slack', 'bot scopes'), /files:write .*reinstall the app/);

    assert.match(fixOf(result.stdout, 'Discord', 'Message Content intent'), /turn on Message Content Intent/);
    assert.match(
      row(result.stdout, '✗', 'Discord', 'bot permissions in #support'),
      /missing Send Messages, Attach Files$/,
    );
    assert.match(
      fixOf(result.stdout, 'Discord', 'bot permissions in #support'),
      /allow Send Messages, Attach Files for the bot.*permissions=\d+/,
    );
    assert.match(
      fixOf(result.stdout, 'Discord', 'Manage Webhooks in #support'),
      /grant Manage Webhooks .*so customers show with their names, or accept bot posts/,
    );
    // What is right is still confirmed.
    row(result.stdout, '✓', 'Slack', 'bot token (auth.test)');
    row(result.stdout, '✓', 'Discord', `channel ${discordChannel}`);
    assert.match(result.stdout, /4 passed, 7 failed/);
  });

  it('names wrong tokens and a route line the key cannot see, each with its fix', async (t) => {
    const sims = await startSims(t);
    const result = await check(
      configFor(sims, ['  - line: "+15550000000"', `    slack: { channel: ${slackChannel} }`]),
      envFor(sims, {
        SLACK_BOT_TOKEN: 'xoxb-wrong',
        SLACK_APP_TOKEN: 'xapp-wrong',
        DISCORD_TOKEN: 'wrong-discord-token',
      }),
    );
    assert.equal(result.code, 2, `exit 2:\n${result.stdout}\n${result.stderr}`);
    row(result.stdout, '✓', 'messages.dev', 'API key');
    assert.match(fixOf(result.stdout, 'messages.dev', 'line +15550000000'), /one of the key's lines \(\+15551234567\)/);
    assert.match(row(result.stdout, '✗', 'Slack', 'bot token'), /invalid_auth/);
    assert.match(fixOf(result.stdout, 'Slack', 'bot token'), /SLACK_BOT_TOKEN/);
    assert.match(fixOf(result.stdout, 'Slack', 'Socket Mode app token'), /connections:write .*SLACK_APP_TOKEN/);
    assert.match(row(result.stdout, '✗', 'Discord', 'bot token'), /401/);
    assert.match(fixOf(result.stdout, 'Discord', 'bot token'), /Reset Token.*DISCORD_TOKEN/);
  });

  it('rejects an invalid config with exit 2 and the messages start gives; --help explains the command', async () => {
    const [broken, help] = await Promise.all([
      runThreadline({
        args: ['check'],
        config: ['imessage:', '  apiKey: ${MESSAGES_API_KEY}', '  webhookSecret: s', 'routes: []'].join('\n'),
      }),
      runThreadline({ args: ['check', '--help'] }),
    ]);
    assert.equal(await broken.exited, 2);
    assert.match(
      broken.stderr(),
      /cannot be used \(1 problem\):\n {2}- imessage\.apiKey: environment variable MESSAGES_API_KEY is not set/,
    );
    assert.equal(broken.stdout(), '');
    assert.equal(await help.exited, 0);
    assert.match(help.stdout(), /^Usage: threadline check \[--config PATH\]/);
    assert.match(help.stdout(), /Exit codes: 0 every check passed; 2/);
  });
});

describe('config/slack-app-manifest.yaml', () => {
  it('asks for exactly the bot scopes check verifies, the bridge events and Socket Mode', async () => {
    const manifest = parse(
      await readFile(new URL('../../config/slack-app-manifest.yaml', import.meta.url), 'utf8'),
    ) as {
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { bot_events: string[] }; socket_mode_enabled: boolean };
    };
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), slackBotScopes.map(({ scope }) => scope).sort());
    assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), [
      'message.channels',
      'message.groups',
      'reaction_added',
      'reaction_removed',
    ]);
    assert.equal(manifest.settings.socket_mode_enabled, true);
  });
});
