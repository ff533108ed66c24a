import type { z } from 'zod';
import { escapeSlackText } from '../../../sandbox/slack/index.js';
import type {
  discordPostInput,
  discordReactInput,
  FileInput,
  phoneReactInput,
  phoneSendInput,
  slackPostInput,
  slackReactInput,
} from './inputs.js';
import { demoDiscordChannel, demoSlackChannel } from './setup.js';
import { currentTapbackOf } from './view-phone.js';
import type { DemoWorld } from './world.js';

/** A request that names something that does not exist (answered 400). */
export class DemoRequestError extends Error {
  override readonly name = 'DemoRequestError';
  readonly code = 'bad_request';
}

/**
 * What a person does on the page, done the way that person would: through the simulators' human-action
 * helpers, so everything then crosses the real bridge.
 */
export interface DemoActions {
  /** The customer texts the line (text and/or one file): `message.received` goes to the daemon. */
  phoneSend(input: z.infer<typeof phoneSendInput>): Promise<void>;
  /** The customer taps a tapback on a message; the same one again takes it back. */
  phoneReact(input: z.infer<typeof phoneReactInput>): Promise<void>;
  /** A Slack member replies in a thread (text escaped as a Slack client sends it, optional file). */
  slackPost(input: z.infer<typeof slackPostInput>): Promise<void>;
  /** A Slack member toggles a reaction. */
  slackReact(input: z.infer<typeof slackReactInput>): Promise<void>;
  /** A Discord member posts in a conversation's thread (optional file). */
  discordPost(input: z.infer<typeof discordPostInput>): Promise<void>;
  /** A Discord member toggles a reaction. */
  discordReact(input: z.infer<typeof discordReactInput>): Promise<void>;
}

const bytesOf = (file: FileInput) => Buffer.from(file.data, 'base64');

export function createDemoActions(world: DemoWorld): DemoActions {
  const { phone, slack, discord } = world;
  return {
    async phoneSend({ from, text, file }) {
      await phone.simulateInbound({
        from,
        ...(text.trim() ? { text } : {}),
        ...(file ? { attachments: [{ filename: file.name, mimeType: file.type, data: bytesOf(file) }] } : {}),
      });
    },
    async phoneReact({ from, messageId, type }) {
      const chat = phone.state.chats.find((candidate) => candidate.identifier === from);
      const inChat = chat && phone.state.messages.get(chat.id)?.some((message) => message.id === messageId);
      if (!inChat) throw new DemoRequestError(`no message ${messageId} in the chat of ${from}`);
      // Tapping the tapback you already gave takes it back, as on an iPhone.
      const added = currentTapbackOf(phone.state, messageId, from) !== type;
      await phone.simulateReaction({ from, messageId, type, added });
    },
    async slackPost({ user, threadTs, text, file }) {
      if (!slack.state.message(demoSlackChannel.id, threadTs))
        throw new DemoRequestError(`no Slack thread ${threadTs}`);
      await slack.postAsUser({
        user,
        channel: demoSlackChannel.id,
        threadTs,
        // What a Slack client sends for typed text: &, < and > escaped, so typing <!channel> pings no one.
        text: escapeSlackText(text),
        ...(file ? { files: [{ name: file.name, mimeType: file.type, data: bytesOf(file) }] } : {}),
      });
    },
    async slackReact({ user, ts, name }) {
      const message = slack.state.message(demoSlackChannel.id, ts);
      if (!message) throw new DemoRequestError(`no Slack message ${ts}`);
      const canonical = name === 'thumbsup' ? '+1' : name === 'thumbsdown' ? '-1' : name;
      const mine = message.reactions?.some((reaction) => reaction.name === canonical && reaction.users.includes(user));
      await slack.react({ user, channel: demoSlackChannel.id, ts, name, removed: mine ?? false });
    },
    async discordPost({ userId, channelId, content, file }) {
      requireDiscordThread(world, channelId);
      await discord.postAsMember({
        userId,
        channelId,
        content,
        ...(file ? { files: [{ name: file.name, contentType: file.type, data: bytesOf(file) }] } : {}),
      });
    },
    async discordReact({ userId, channelId, messageId, emoji }) {
      requireDiscordThread(world, channelId);
      const message = discord.state.messages(channelId).find((candidate) => candidate.id === messageId);
      if (!message) throw new DemoRequestError(`no Discord message ${messageId} in thread ${channelId}`);
      const mine = message.reactions.some(
        (reaction) => reaction.emoji.name === emoji && reaction.users.includes(userId),
      );
      await discord.react({ userId, channelId, messageId, emoji: { name: emoji }, removed: mine });
    },
  };
}

function requireDiscordThread(world: DemoWorld, threadId: string): void {
  if (world.discord.state.threads.get(threadId)?.parent_id !== demoDiscordChannel.id) {
    throw new DemoRequestError(`no Discord thread ${threadId} in #${demoDiscordChannel.name}`);
  }
}
