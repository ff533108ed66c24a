import type { DiscordStateView, SimMessage } from '../../../sandbox/discord/index.js';
import { demoDiscordChannel } from './setup.js';
import type { TeamMessageView, TeamView } from './view.js';

/** Discord's "thread created" system message: the client shows it as a line, the page leaves it out. */
const threadCreatedType = 18;

/** The Discord text channel: its threads (one per conversation) with their messages. */
export function viewDiscord(state: DiscordStateView, note: string | undefined): TeamView {
  const name = (id: string) => {
    const member = state.members.get(id);
    if (member) return member.user.global_name ?? member.user.username;
    return id === state.bot.id ? state.bot.username : id;
  };
  const view = (message: SimMessage) => viewDiscordMessage(message, name, state);
  const channelMessages = state.messages(demoDiscordChannel.id);
  const threads = [...state.threads.values()]
    .filter((thread) => thread.parent_id === demoDiscordChannel.id)
    .map((thread) => {
      // A thread started from a message shares that message's id.
      const starter = channelMessages.find((message) => message.id === thread.id);
      return {
        id: thread.id,
        title: thread.name,
        ...(starter ? { root: view(starter) } : {}),
        messages: state
          .messages(thread.id)
          .filter((message) => message.type !== threadCreatedType)
          .map(view),
        notices: [],
      };
    });
  return {
    available: note === undefined,
    ...(note === undefined ? {} : { note }),
    channel: `#${demoDiscordChannel.name}`,
    members: [...state.members.values()]
      .filter((member) => !member.user.bot)
      .map((member) => ({
        id: member.user.id,
        name: member.user.global_name ?? member.user.username,
      })),
    threads,
  };
}

function viewDiscordMessage(
  message: SimMessage,
  name: (id: string) => string,
  state: DiscordStateView,
): TeamMessageView {
  return {
    id: message.id,
    // A webhook message carries the username it was executed with.
    author: message.origin === 'webhook' ? message.author.username : name(message.author.id),
    kind: message.origin === 'member' ? 'person' : 'app',
    text: discordToDisplay(message.content, name, state),
    files: message.attachments.map((attachment) => ({
      name: attachment.filename,
      type: attachment.content_type,
      size: attachment.size,
      url: `/files/discord/${encodeURIComponent(attachment.id)}`,
    })),
    at: Date.parse(message.timestamp),
    reactions: message.reactions.map((reaction) => ({
      emoji: reaction.emoji.name,
      key: reaction.emoji.name,
      count: reaction.users.length,
      by: reaction.users.map(name),
    })),
  };
}

/** Mentions by name, as the client shows them; markdown and its backslash escapes are left to the page. */
export function discordToDisplay(content: string, name: (id: string) => string, state: DiscordStateView): string {
  return content
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${name(id)}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${state.roles.get(id)?.name ?? 'role'}`)
    .replace(/<#(\d+)>/g, (_, id: string) => `#${state.channels.get(id)?.name ?? state.threads.get(id)?.name ?? id}`);
}
