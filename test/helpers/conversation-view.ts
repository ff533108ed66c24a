import { threadPosts } from './slack-thread.js';
import { slackChannel, type World } from './world.js';

/** What Threadline posted of the world's first conversation in Slack (its own posts, not the team's), in order. */
export function slackTexts(world: World, conversation = 0): string[] {
  const root = world.slack!.state.messages(slackChannel)[conversation];
  return root
    ? threadPosts(world.slack!, slackChannel, root)
        .filter((post) => post.bot_id !== undefined)
        .map((post) => post.text)
    : [];
}

/** The world's Discord threads under the route channel, oldest first. */
export function discordThreads(world: World) {
  return [...world.discord!.state.threads.values()].filter((thread) => thread.parent_id === world.discordChannel);
}

/**
 * What the team sees of a conversation in Discord: the texts Threadline posted in its thread (as the bot,
 * whose posts start with the speaker's bold name, or through the channel webhook), oldest first.
 */
export function discordTexts(world: World, conversation = 0): string[] {
  const thread = discordThreads(world)[conversation];
  if (!thread) return [];
  return world
    .discord!.state.messages(thread.id)
    .filter((message) => message.origin === 'bot' || message.origin === 'webhook')
    .map((message) => message.content.replace(/^\*\*[^*]+:\*\* /, ''));
}

/** The texts messages.dev was asked to send from the line, in the order it accepted them. */
export function phoneTexts(world: World): string[] {
  return world.phone.state.outbox
    .filter((item) => item.kind === 'message')
    .map((item) => {
      const text = (item.payload as { text?: unknown }).text;
      return typeof text === 'string' ? text : '';
    });
}
