import { z } from 'zod';
import { httpUrl, patternText, requiredText } from '../../src/core/config-fields.js';

/** The `discord` block: one bot. */
export const discordConfigSchema = z.strictObject({
  token: requiredText('the Discord bot token (Developer Portal → Bot → Reset Token); set DISCORD_TOKEN').describe(
    'Bot token. Secret: reference an environment variable.',
  ),
  apiUrl: httpUrl('the Discord REST base without a trailing slash, e.g. https://discord.com/api')
    .refine((url) => !url.endsWith('/'), { error: 'remove the trailing slash (discord.js appends /v10 itself)' })
    .default('https://discord.com/api')
    .describe('Discord REST base URL; the gateway URL is whatever it announces (local simulators).'),
  forwardTyping: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .describe(
      'Show the customer a typing indicator while a team member types in a two-way thread (uses the messages.dev budget).',
    ),
  allowRoles: z
    .array(patternText(/^\d{17,20}$/, 'expected a Discord role id (a snowflake of 17 to 20 digits, quoted)'))
    .optional()
    .describe('Only members with one of these roles may send to the phone; everyone may when absent.'),
});

export type DiscordConfig = z.infer<typeof discordConfigSchema>;
