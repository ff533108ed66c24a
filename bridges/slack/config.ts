import { z } from 'zod';
import { httpUrl, patternText } from '../../src/core/config-fields.js';

/** The `slack` block: one Slack app in one workspace. */
export const slackConfigSchema = z
  .strictObject({
    botToken: patternText(
      /^xoxb-/,
      'expected a Slack bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token); set SLACK_BOT_TOKEN',
    ).describe('Bot token (xoxb-…). Secret: reference an environment variable.'),
    appToken: patternText(
      /^xapp-/,
      'expected a Slack app-level token starting with xapp- with the connections:write scope (Basic Information → App-Level Tokens)',
    )
      .optional()
      .describe('App-level token (xapp-…) for Socket Mode, the default: no public URL needed.'),
    signingSecret: z
      .string({ error: 'expected the Slack signing secret (Basic Information → App Credentials)' })
      .min(1)
      .optional()
      .describe('Signing secret for the HTTP Events API (POST /slack/events); used when appToken is absent.'),
    apiUrl: httpUrl('the Slack Web API base, e.g. https://slack.com/api/')
      .default('https://slack.com/api/')
      .describe('Slack Web API base URL (GovSlack, local simulators).'),
    textCommand: z
      .string({ error: 'expected a slash command like /text' })
      .regex(/^\/[a-z0-9_-]{1,31}$/, { error: 'expected a slash command like /text (lowercase, starting with /)' })
      .default('/text')
      .describe('Slash command that starts a conversation: /text +15551234567 Hello (register it in the Slack app).'),
    allowUsers: z
      .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'expected a Slack user id like U0123456789' }))
      .optional()
      .describe('Only these Slack users may send to the phone; everyone may when absent.'),
  })
  .refine((slack) => slack.appToken !== undefined || slack.signingSecret !== undefined, {
    error: 'set appToken (Socket Mode, recommended) or signingSecret (HTTP Events API at POST /slack/events)',
    path: ['appToken'],
  });

export type SlackConfig = z.infer<typeof slackConfigSchema>;
