import { z } from 'zod';
import { TAPBACKS } from '../../core/reactions.js';
import { demoCustomers, demoDiscordMembers, demoMaxFileBytes, demoSlackUsers } from './setup.js';

/** The JSON bodies the page may POST, validated before anything reaches a simulator. */

const text = (max: number) =>
  z
    .string()
    .max(max, { error: `at most ${max} characters` })
    .default('');

const fileInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    type: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'expected a MIME type like image/png' })
      .default('application/octet-stream'),
    /** The bytes, base64. */
    data: z.base64({ error: 'expected the file bytes as base64' }),
  })
  .refine((file) => Buffer.byteLength(file.data, 'base64') <= demoMaxFileBytes, {
    error: `files up to ${demoMaxFileBytes / 1024 / 1024} MiB in the demo`,
    path: ['data'],
  });

export type FileInput = z.infer<typeof fileInput>;

const somethingToSend = (input: { text?: string; content?: string; file?: FileInput | undefined }) =>
  (input.text ?? input.content ?? '').trim() !== '' || input.file !== undefined;
const nothingToSend = { error: 'type some text or attach a file' };

const customer = z.enum(demoCustomers as [string, ...string[]], { error: 'not one of the demo customers' });
const slackUser = z.enum(
  demoSlackUsers.map((user) => user.id),
  { error: 'not one of the demo Slack users' },
);
const discordMember = z.enum(
  demoDiscordMembers.map((member) => member.id),
  { error: 'not one of the demo Discord members' },
);
const snowflake = z.string().regex(/^\d{17,20}$/, { error: 'expected a Discord id' });
const slackTs = z.string().regex(/^\d+\.\d+$/, { error: 'expected a Slack message ts like 1700000000.000100' });

export const phoneSendInput = z
  .strictObject({ from: customer, text: text(4000), file: fileInput.optional() })
  .refine(somethingToSend, nothingToSend);

export const phoneReactInput = z.strictObject({
  from: customer,
  messageId: z.string().regex(/^msg_\w+$/, { error: 'expected a messages.dev message id (msg_…)' }),
  type: z.enum(TAPBACKS as [string, ...string[]], { error: `one of ${TAPBACKS.join(', ')}` }),
});

export const slackPostInput = z
  .strictObject({ user: slackUser, threadTs: slackTs, text: text(4000), file: fileInput.optional() })
  .refine(somethingToSend, nothingToSend);

export const slackReactInput = z.strictObject({
  user: slackUser,
  ts: slackTs,
  name: z.string().regex(/^[a-z0-9_+-]{1,64}$/, { error: 'expected a Slack emoji name like white_check_mark' }),
});

export const discordPostInput = z
  .strictObject({ userId: discordMember, channelId: snowflake, content: text(2000), file: fileInput.optional() })
  .refine(somethingToSend, nothingToSend);

export const discordReactInput = z.strictObject({
  userId: discordMember,
  channelId: snowflake,
  messageId: snowflake,
  emoji: z.string().regex(/^\p{Extended_Pictographic}[\p{Extended_Pictographic}\uFE0F\u200D]{0,7}$/u, {
    error: 'expected one emoji',
  }),
});
