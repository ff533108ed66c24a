import type { SimConfig } from './config.js';

export const INTENTS = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildWebhooks: 1 << 5,
  guildPresences: 1 << 8,
  guildMessages: 1 << 9,
  guildMessageReactions: 1 << 10,
  guildMessageTyping: 1 << 11,
  messageContent: 1 << 15,
} as const;

/** Every intent bit Discord defines today (bits 0–16, 20, 21, 24, 25); anything else is closed with 4013. */
const VALID_INTENTS = 0x1ffff | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25);

/** Which intent a guild dispatch needs; events not listed are always sent. */
const EVENT_INTENT: Record<string, number> = {
  GUILD_CREATE: INTENTS.guilds,
  CHANNEL_CREATE: INTENTS.guilds,
  CHANNEL_UPDATE: INTENTS.guilds,
  CHANNEL_DELETE: INTENTS.guilds,
  THREAD_CREATE: INTENTS.guilds,
  THREAD_UPDATE: INTENTS.guilds,
  THREAD_DELETE: INTENTS.guilds,
  THREAD_LIST_SYNC: INTENTS.guilds,
  MESSAGE_CREATE: INTENTS.guildMessages,
  MESSAGE_UPDATE: INTENTS.guildMessages,
  MESSAGE_DELETE: INTENTS.guildMessages,
  MESSAGE_REACTION_ADD: INTENTS.guildMessageReactions,
  MESSAGE_REACTION_REMOVE: INTENTS.guildMessageReactions,
  TYPING_START: INTENTS.guildMessageTyping,
  WEBHOOKS_UPDATE: INTENTS.guildWebhooks,
};

export function wantsEvent(intents: number, event: string): boolean {
  const needed = EVENT_INTENT[event];
  return needed === undefined || (intents & needed) !== 0;
}

/** The close code and reason for IDENTIFY's intents, or undefined when they are accepted. */
export function checkIntents(config: SimConfig, intents: unknown): { code: number; reason: string } | undefined {
  if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~VALID_INTENTS) !== 0) {
    return { code: 4013, reason: 'Invalid intent(s).' };
  }
  const disallowed =
    (!config.messageContentIntentEnabled && (intents & INTENTS.messageContent) !== 0) ||
    (!config.guildMembersIntentEnabled && (intents & INTENTS.guildMembers) !== 0) ||
    (!config.guildPresencesIntentEnabled && (intents & INTENTS.guildPresences) !== 0);
  return disallowed ? { code: 4014, reason: 'Disallowed intent(s).' } : undefined;
}
