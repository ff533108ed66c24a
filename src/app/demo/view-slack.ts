import type { SimMessage, SimStateView } from '../../../sandbox/slack/index.js';
import type { ReactionTable } from '../../core/reactions.js';
import { demoSlackChannel } from './setup.js';
import type { TeamMessageView, TeamThreadView, TeamView } from './view.js';

/** Names the reaction table has no use for but the bridge's marks use (📝 marks an internal note). */
const markEmoji: Readonly<Record<string, string>> = { memo: '📝', white_check_mark: '✅', warning: '⚠️' };

/** The Slack channel: one thread per conversation under the bridge's root message, with ephemeral notices. */
export function viewSlack(
  state: SimStateView,
  reactions: ReactionTable,
  bot: { readonly userId: string; readonly name: string },
): TeamView {
  const name = (id: string) => {
    const user = state.users.get(id);
    return user ? user.displayName || user.realName || user.name : id === bot.userId ? bot.name : id;
  };
  const view = (message: SimMessage): TeamMessageView => viewSlackMessage(message, name, reactions, bot.name);
  const threads: TeamThreadView[] = state.messages(demoSlackChannel.id).map((root) => ({
    id: root.ts,
    title: (slackToDisplay(root.text, name).split('\n')[0] ?? '').replaceAll('*', ''),
    root: view(root),
    messages: state.replies(demoSlackChannel.id, root.ts).map(view),
    notices: state.ephemerals
      .filter((notice) => notice.channel === demoSlackChannel.id && notice.threadTs === root.ts)
      .map((notice) => ({ to: name(notice.user), text: slackToDisplay(notice.text, name) })),
  }));
  return {
    available: true,
    channel: `#${demoSlackChannel.name}`,
    members: [...state.users.values()].map((user) => ({ id: user.id, name: user.displayName || user.realName })),
    threads,
  };
}

function viewSlackMessage(
  message: SimMessage,
  name: (id: string) => string,
  reactions: ReactionTable,
  botName: string,
): TeamMessageView {
  const app = message.bot_id !== undefined || message.username !== undefined;
  return {
    id: message.ts,
    author: message.username ?? (message.user && !message.bot_id ? name(message.user) : botName),
    kind: app ? 'app' : 'person',
    text: slackToDisplay(message.text, name),
    files: (message.files ?? []).map((file) => ({
      name: file.name,
      type: file.mimetype,
      size: file.size,
      url: `/files/slack/${encodeURIComponent(file.id)}`,
    })),
    at: Math.round(Number(message.ts) * 1000),
    reactions: (message.reactions ?? []).map((reaction) => ({
      emoji: reactions.slackNameToEmoji(reaction.name) ?? markEmoji[reaction.name] ?? `:${reaction.name}:`,
      key: reaction.name,
      count: reaction.count,
      by: reaction.users.map(name),
    })),
  };
}

/** Slack wire text as a Slack client shows it: mentions and links by their labels, entities decoded. */
export function slackToDisplay(text: string, name: (id: string) => string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${name(id)}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<[^|<>]+\|([^<>]+)>/g, '$1')
    .replace(/<([^<>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
