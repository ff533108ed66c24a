import { Client, Events, GatewayIntentBits, Options, Partials } from 'discord.js';
import type { Logger } from 'pino';
import type { BridgeState } from '../../src/core/bridge.js';
import { BridgeError } from '../../src/core/errors.js';

/** Gateway close codes that end the session for good: bad token, disallowed intents. */
const authenticationFailed = 4004;
const disallowedIntents = 4014;

/**
 * The discord.js client. Intents: guild channels and threads, messages with their content (privileged),
 * reactions and typing. Partials let reactions on uncached messages through (after a restart, for example).
 * REST: the send queue is the one layer that waits on limits or retries, so discord.js rejects rate-limited
 * calls at once (`rejectOnRateLimit`, no offset) and never retries; the global fetch is used because
 * @slack/bolt's undici 7 in the same process breaks discord.js's own uploads ("action is not a function").
 */
export function createDiscordClient(options: { apiUrl: string; waitGuildTimeoutMs?: number }): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.GuildMessageTyping,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    rest: { api: options.apiUrl, rejectOnRateLimit: () => true, offset: 0, retries: 0, makeRequest: fetch },
    // The bridge reads few cached messages (an edit's old text) and looks members up when it needs them:
    // bounded caches keep memory flat however long it runs and however large the server is.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 50,
      GuildMemberManager: { maxSize: 500, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: { maxSize: 500, keepOverLimit: (user) => user.id === user.client.user.id },
    }),
    allowedMentions: { parse: [] },
    ...(options.waitGuildTimeoutMs === undefined ? {} : { waitGuildTimeout: options.waitGuildTimeoutMs }),
  });
}

/** Keeps `/readyz`'s view of the gateway: connected, reconnecting, or refused for good. */
export function trackConnection(
  client: Client,
  log: Logger,
  setState: (state: BridgeState) => void,
  stopped: () => boolean,
): void {
  client.on(Events.ClientReady, () => setState('connected'));
  client.on(Events.ShardReady, () => setState('connected'));
  client.on(Events.ShardResume, (_shard, replayed) => {
    setState('connected');
    log.info({ replayed }, 'Discord gateway resumed');
  });
  client.on(Events.ShardReconnecting, () => {
    // destroy() at shutdown emits this too; it is not news then.
    if (stopped()) return;
    setState('transient-disconnect');
    log.warn('Discord gateway reconnecting');
  });
  client.on(Events.ShardDisconnect, (event) => {
    if (stopped()) return;
    const fatal = event.code === authenticationFailed || event.code === disallowedIntents;
    setState(fatal ? 'bad-credentials' : 'transient-disconnect');
    log.error({ code: event.code }, 'Discord gateway closed the session');
  });
  client.on(Events.ShardError, (error) => log.warn({ err: error }, 'Discord gateway connection error'));
}

/**
 * Logs in and waits until the guilds (and so the channels) are cached. A refused token or intent becomes a
 * `credentials_invalid` BridgeError whose message names Discord, what was refused and the fix.
 */
export async function connect(client: Client, token: string): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  const refused = new Promise<never>((_resolve, reject) =>
    client.once(Events.ShardDisconnect, (event) => reject(closeError(event.code))),
  );
  refused.catch(() => undefined);
  try {
    await Promise.race([client.login(token), refused]);
    await Promise.race([ready, refused]);
  } catch (error) {
    throw translateLoginError(error);
  }
}

function closeError(code: number): BridgeError {
  return code === disallowedIntents
    ? intentsRefused(undefined)
    : code === authenticationFailed
      ? tokenRefused(undefined)
      : new BridgeError('network_error', `Discord closed the gateway with code ${code}`, { retryable: true });
}

function tokenRefused(cause: unknown): BridgeError {
  return new BridgeError(
    'credentials_invalid',
    'Discord rejected the bot token: check discord.token (Developer Portal → your app → Bot → Reset Token, then set DISCORD_TOKEN)',
    { cause },
  );
}

function intentsRefused(cause: unknown): BridgeError {
  return new BridgeError(
    'credentials_invalid',
    'Discord refused the MessageContent intent: enable Message Content Intent in the Developer Portal → your app → Bot → Privileged Gateway Intents',
    { cause },
  );
}

function translateLoginError(error: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  const coded = error as { code?: unknown; message?: unknown; status?: unknown };
  const message = typeof coded.message === 'string' ? coded.message : String(error);
  if (coded.code === 'TokenInvalid' || coded.status === 401 || /authentication failed/i.test(message)) {
    return tokenRefused(error);
  }
  if (coded.code === 'DisallowedIntents' || /disallowed intents/i.test(message)) return intentsRefused(error);
  return new BridgeError('network_error', `Could not connect to Discord: ${message}`, {
    retryable: true,
    cause: error,
  });
}
