import type { BotPermissions } from './types.js';

/** Discord permission bits (the subset the simulator models). */
export const PERMISSION_BITS: Record<keyof BotPermissions, bigint> = {
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  addReactions: 1n << 6n,
  attachFiles: 1n << 15n,
  readMessageHistory: 1n << 16n,
  manageWebhooks: 1n << 29n,
  createPublicThreads: 1n << 35n,
  sendMessagesInThreads: 1n << 38n,
};

const EMBED_LINKS = 1n << 14n;
const USE_EXTERNAL_EMOJIS = 1n << 18n;
const MANAGE_THREADS = 1n << 34n;

/** What @everyone may do: a typical community server, minus Manage Webhooks. */
export function everyonePermissions(): string {
  const { manageWebhooks: _manageWebhooks, ...rest } = PERMISSION_BITS;
  return (Object.values(rest).reduce((all, bit) => all | bit, 0n) | EMBED_LINKS | USE_EXTERNAL_EMOJIS).toString();
}

/** The bot's managed role: what an invite with the bridge's permissions grants. */
export function botRolePermissions(): string {
  return (Object.values(PERMISSION_BITS).reduce((all, bit) => all | bit, 0n) | EMBED_LINKS | MANAGE_THREADS).toString();
}

/**
 * A member overwrite for the bot that denies what the channel's options take away, so discord.js's
 * `channel.permissionsFor(botUser)` sees exactly what the simulator enforces. Undefined when nothing is denied.
 */
export function botOverwrite(
  botId: string,
  permissions: BotPermissions,
): { id: string; type: 1; allow: string; deny: string } | undefined {
  let deny = 0n;
  for (const [name, bit] of Object.entries(PERMISSION_BITS) as Array<[keyof BotPermissions, bigint]>) {
    if (!permissions[name]) deny |= bit;
  }
  return deny === 0n ? undefined : { id: botId, type: 1, allow: '0', deny: deny.toString() };
}
