import { resolvePermissions, type SimConfig } from './config.js';
import { unknownChannel, unknownMessage } from './errors.js';
import { botRolePermissions, everyonePermissions } from './permissions.js';
import type {
  BotPermissions,
  DiscordStateView,
  SimAttachment,
  SimChannel,
  SimMember,
  SimMessage,
  SimRole,
  SimThread,
  SimUser,
  SimWebhook,
} from './types.js';

/** A channel or thread that messages can live in. */
export type MessageTarget =
  | { kind: 'channel'; id: string; channel: SimChannel; parent: SimChannel }
  | { kind: 'thread'; id: string; thread: SimThread; parent: SimChannel };

/** How long `enforce_nonce` remembers a nonce (Discord says "the past few minutes"). */
export const NONCE_WINDOW_MS = 5 * 60 * 1000;

const JOINED_AT = '2024-01-01T00:00:00.000Z';

function userOf(id: string, username: string, globalName: string | null, bot = false): SimUser {
  return { id, username, global_name: globalName, discriminator: '0', avatar: null, ...(bot ? { bot: true } : {}) };
}

/** The in-memory guild: members, roles, channels, threads, messages and webhooks. */
export class SimState implements DiscordStateView {
  readonly guild: { readonly id: string; readonly name: string };
  readonly bot: SimUser;
  readonly botRoleId: string;
  readonly members = new Map<string, SimMember>();
  readonly roles = new Map<string, SimRole>();
  readonly channels = new Map<string, SimChannel>();
  readonly threads = new Map<string, SimThread>();
  readonly webhooks = new Map<string, SimWebhook>();
  /** `${authorId}:${nonce}` → the message it created and when (for enforce_nonce). */
  readonly nonces = new Map<string, { channelId: string; messageId: string; at: number }>();
  readonly attachments = new Map<string, SimAttachment>();
  readonly #messages = new Map<string, SimMessage[]>();

  constructor(config: SimConfig) {
    this.guild = { ...config.guild };
    this.bot = userOf(config.bot.id, config.bot.username, null, true);
    // A managed role's id is its own snowflake; derive one that cannot clash with configured ids.
    this.botRoleId = (BigInt(config.guild.id) + 1n).toString();
    this.roles.set(config.guild.id, {
      id: config.guild.id,
      name: '@everyone',
      permissions: everyonePermissions(),
      position: 0,
      managed: false,
    });
    config.roles.forEach((role, index) =>
      this.roles.set(role.id, { ...role, permissions: '0', position: index + 1, managed: false }),
    );
    this.roles.set(this.botRoleId, {
      id: this.botRoleId,
      name: config.bot.username,
      permissions: botRolePermissions(),
      position: config.roles.length + 1,
      managed: true,
      botId: config.bot.id,
    });
    this.members.set(this.bot.id, { user: this.bot, roles: [this.botRoleId], joined_at: JOINED_AT });
    for (const member of config.members) {
      this.members.set(member.id, {
        user: userOf(member.id, member.username, member.globalName ?? null),
        roles: member.roles ?? [],
        joined_at: JOINED_AT,
      });
    }
    config.channels.forEach((channel, position) =>
      this.channels.set(channel.id, {
        id: channel.id,
        name: channel.name,
        type: channel.type,
        position,
        botPermissions: resolvePermissions(channel.botPermissions),
        last_message_id: null,
      }),
    );
  }

  messages(channelId: string): readonly SimMessage[] {
    return this.#messages.get(channelId) ?? [];
  }

  /** The mutable list of a channel's or thread's messages. */
  messageList(channelId: string): SimMessage[] {
    let list = this.#messages.get(channelId);
    if (!list) {
      list = [];
      this.#messages.set(channelId, list);
    }
    return list;
  }

  findTarget(id: string): MessageTarget | undefined {
    const channel = this.channels.get(id);
    if (channel) return { kind: 'channel', id, channel, parent: channel };
    const thread = this.threads.get(id);
    const parent = thread ? this.channels.get(thread.parent_id) : undefined;
    return thread && parent ? { kind: 'thread', id, thread, parent } : undefined;
  }

  requireTarget(id: string): MessageTarget {
    const target = this.findTarget(id);
    if (!target) throw unknownChannel();
    return target;
  }

  /** The bot's permissions in a channel or thread (threads inherit their parent's). */
  permissionsIn(target: MessageTarget): BotPermissions {
    return target.parent.botPermissions;
  }

  findMessage(channelId: string, messageId: string): SimMessage | undefined {
    return this.#messages.get(channelId)?.find((message) => message.id === messageId);
  }

  requireMessage(channelId: string, messageId: string): SimMessage {
    const message = this.findMessage(channelId, messageId);
    if (!message) throw unknownMessage();
    return message;
  }

  removeMessage(channelId: string, messageId: string): void {
    const list = this.#messages.get(channelId);
    const index = list?.findIndex((message) => message.id === messageId) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  /** A member's or the bot's user, or undefined. */
  userById(id: string): SimUser | undefined {
    return this.members.get(id)?.user;
  }
}
