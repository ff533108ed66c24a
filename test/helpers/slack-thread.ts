import type { SlackSimulator } from '../../sandbox/slack/index.js';

type SimMessage = ReturnType<SlackSimulator['state']['messages']>[number];

const hint = /^_Reply in this thread to text back/;
const status = /^_Last message from the customer: /;

/**
 * The message a thread root carries below its header, when it carries one (a conversation's first post
 * rides in its root: one Slack post per new conversation); undefined for a root with only the header.
 */
export function carriedText(root: SimMessage): string | undefined {
  const lines = root.text.split('\n');
  const end = lines.findIndex((text, index) => index > 0 && (hint.test(text) || status.test(text)));
  const body = lines.slice(1, end === -1 ? undefined : end);
  return body.length > 0 ? body.join('\n') : undefined;
}

/**
 * A conversation's posts as the team sees them in Slack: the root's carried message first (as a message of
 * its own, `text` being what it carries), then the replies, oldest first.
 */
export function threadPosts(slack: SlackSimulator, channel: string, root: SimMessage): SimMessage[] {
  const carried = carriedText(root);
  const replies = slack.state.replies(channel, root.ts);
  return carried === undefined ? replies : [{ ...root, text: carried }, ...replies];
}

/** The texts of a conversation's posts (see threadPosts). */
export function threadTexts(slack: SlackSimulator, channel: string, root: SimMessage | undefined): string[] {
  return root ? threadPosts(slack, channel, root).map((post) => post.text) : [];
}
