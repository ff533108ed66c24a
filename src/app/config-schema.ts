import { z } from 'zod';
import { discordConfigSchema } from '../../bridges/discord/config.js';
import { imessageConfigSchema } from '../../bridges/imessage/config.js';
import { slackConfigSchema } from '../../bridges/slack/config.js';
import { decimal, httpUrl, integer, oneOf, patternText, requiredText } from '../core/config-fields.js';

const emoji = z
  .string({ error: 'expected an emoji in quotes, e.g. "💖"' })
  .regex(/^\p{Extended_Pictographic}/u, { error: 'expected an emoji in quotes, e.g. "💖"' });

/** The single source of truth for Threadline's configuration: types, defaults and documentation. */

const routeMode = oneOf(['two-way', 'mirror'], 'two-way sends team replies to the phone; mirror is read-only')
  .default('two-way')
  .describe('two-way: the team answers from the thread; mirror: read-only copy.');

const slackRouteSchema = z.strictObject({
  channel: patternText(
    /^[CG][A-Z0-9]{8,}$/,
    'expected a Slack channel id like C0123456789 (channel details → About → Channel ID)',
  ).describe('Slack channel id where this line gets one thread per conversation.'),
  mode: routeMode,
});

const discordRouteSchema = z.strictObject({
  channel: patternText(
    /^\d{17,20}$/,
    'expected a Discord channel id like "112233445566778899" (a text or forum channel; Developer Mode → Copy Channel ID), quoted',
  ).describe('Discord text or forum channel id; each conversation becomes a thread or a forum post.'),
  mode: routeMode,
});

const lineHandle = patternText(
  /^(\+[1-9]\d{6,14}|[^\s@]+@[^\s@]+\.[^\s@]+|ln_[A-Za-z0-9]+)$/,
  'expected the line handle in E.164 form like "+15551234567" (quoted), an Apple ID email, or an ln_ id',
);

const routeSchema = z.strictObject({
  line: lineHandle.describe('The messages.dev line this route bridges.'),
  slack: slackRouteSchema.optional(),
  discord: discordRouteSchema.optional(),
  replyMode: oneOf(['auto', 'explicit'], 'auto sends every team message but notes; explicit sends only >> messages')
    .optional()
    .describe('Overrides replies.mode for this route.'),
});

export const configSchema = z
  .strictObject({
    imessage: imessageConfigSchema,
    slack: slackConfigSchema.optional(),
    discord: discordConfigSchema.optional(),
    server: z
      .strictObject({
        host: requiredText('the address to listen on, e.g. 0.0.0.0 or 127.0.0.1').default('0.0.0.0'),
        port: integer(0, 65535, 'the TCP port for webhooks, health and metrics').default(8080),
        bodyLimitBytes: integer(1024, 64 * 1024 * 1024, 'the largest request body accepted, in bytes')
          .default(1024 * 1024)
          .describe('Larger webhook bodies are refused with 413.'),
        publicUrl: httpUrl('the public https URL that reaches this server, e.g. https://bridge.example.com')
          .optional()
          .describe('Where messages.dev can reach this server; used by `threadline webhooks register`.'),
      })
      .prefault({}),
    store: z
      .strictObject({
        path: requiredText('a file path like ./data/threadline.json')
          .default('./data/threadline.json')
          .describe("The store's main file; its shards sit beside it (threadline.*.json)."),
        retentionDays: integer(1, 3650, 'days to keep message links (for reactions and replies)')
          .default(90)
          .describe('Message links older than this are pruned.'),
        url: patternText(
          /^postgres(ql)?:\/\/\S+$/,
          'a PostgreSQL URL like postgres://threadline:secret@db:5432/threadline, or ${DATABASE_URL}',
        )
          .optional()
          .describe('Instead of path: the PostgreSQL store, which several replicas can share.'),
        schema: patternText(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a schema name of letters, digits and _, e.g. threadline')
          .optional()
          .describe(
            "With url: the schema that holds Threadline's tables (created when missing); default the search_path.",
          ),
      })
      .prefault({}),
    delivery: z
      .strictObject({
        maxAgeHours: decimal(0.0001, 24 * 365, 'hours an effect keeps retrying, e.g. 24')
          .default(24)
          .describe(
            'How long an effect (a post, a send, a mark) keeps retrying through outages before it fails visibly (⚠️ and a dead letter).',
          ),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'the least severe level logged')
          .default('info')
          .describe('Log level. Message bodies are only ever logged at trace.'),
      })
      .prefault({}),
    replies: z
      .strictObject({
        mode: oneOf(['auto', 'explicit'], 'auto sends every team message but notes; explicit sends only >> messages')
          .default('auto')
          .describe(
            'auto: team messages go to the phone unless they start with notePrefix; explicit: only those starting with sendPrefix.',
          ),
        notePrefix: requiredText('the prefix that keeps a team message internal, e.g. //')
          .default('//')
          .describe('A team message starting with this stays in the thread.'),
        sendPrefix: requiredText('the prefix that sends a team message in explicit mode, e.g. >>')
          .default('>>')
          .describe('In explicit mode, only messages starting with this go to the phone.'),
      })
      .prefault({}),
    reactions: z
      .strictObject({
        unmapped: oneOf(['ignore', 'nearest'], 'what to do with a team emoji iMessage has no tapback for')
          .default('ignore')
          .describe('ignore: not sent, the reactor gets a hint; nearest: the closest tapback is sent.'),
        emoji: z
          .strictObject({
            love: emoji.optional(),
            like: emoji.optional(),
            dislike: emoji.optional(),
            laugh: emoji.optional(),
            emphasize: emoji.optional(),
            question: emoji.optional(),
          })
          .optional()
          .describe('Overrides the emoji a tapback shows as (and maps back from), e.g. { love: "💖" }.'),
      })
      .prefault({}),
    routes: z
      .array(routeSchema, { error: 'expected a list of routes, each with a line and a slack and/or discord block' })
      .default([])
      .describe('Which line goes to which channels.'),
  })
  .superRefine(
    (config, ctx) => {
      // Runs even when other keys are invalid (`when` below), so every problem is reported at once.
      const routes: unknown = config.routes;
      if (!Array.isArray(routes)) return;
      const seen = new Map<string, number>();
      (routes as Partial<RouteConfig>[]).forEach((route, index) => {
        if (route === null || typeof route !== 'object' || typeof route.line !== 'string') return;
        const first = seen.get(route.line);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'line'],
            message: `line ${route.line} is already routed by routes[${first}]; merge the two routes`,
          });
        } else {
          seen.set(route.line, index);
        }
        if (route.slack && !config.slack) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'slack'],
            message:
              'this route uses Slack but there is no top-level slack block; add slack.botToken and slack.appToken',
          });
        }
        if (route.discord && !config.discord) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, 'discord'],
            message: 'this route uses Discord but there is no top-level discord block; add discord.token',
          });
        }
        if (!route.slack && !route.discord) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index],
            message: 'a route needs a slack or a discord block (or both) to send the line somewhere',
          });
        }
      });
    },
    { when: () => true },
  );

/** The validated, defaulted, frozen configuration. */
export type Config = z.infer<typeof configSchema>;
export type RouteConfig = Config['routes'][number];
