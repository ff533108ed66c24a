/** The fixed cast of the demo: one line, two customers, one Slack channel and one Discord text channel. */

/** The messages.dev line the route bridges. */
export const demoLine = '+15551234567';
/** Customers whose phones the page can play (each becomes its own thread). */
export const demoCustomers: readonly string[] = ['+15559876543', '+15550142020'];
/** Not a secret: the simulator signs with it and the daemon checks it, both on this machine. */
export const demoWebhookSecret = 'whsec_threadline_demo';

export const demoSlackChannel = { id: 'C0123456789', name: 'support' } as const;
export const demoSlackUsers = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice Archer', displayName: 'Alice' },
  { id: 'U0BOB', name: 'bob', realName: 'Bob Baker', displayName: 'Bob' },
] as const;

export const demoDiscordChannel = { id: '112233445566778899', name: 'support' } as const;
export const demoDiscordMembers = [
  { id: '444444444444444441', username: 'alice', globalName: 'Alice' },
  { id: '444444444444444442', username: 'bob', globalName: 'Bob' },
] as const;

/** Time the simulated phone takes to send a message, long enough to see "Sending…" become "Delivered". */
export const demoOutboxDelayMs = 400;

/** The largest file the page may attach (the JSON body carries it as base64). */
export const demoMaxFileBytes = 5 * 1024 * 1024;

/** Where the daemon finds each simulator, and the credentials those accept. */
export interface DemoEndpoints {
  readonly imessageApiUrl: string;
  readonly imessageApiKey: string;
  readonly slackApiUrl: string;
  readonly slackBotToken: string;
  readonly slackAppToken: string;
  /** Absent when the Discord bridge is left out. */
  readonly discordApiUrl?: string;
  readonly discordToken?: string;
}

/**
 * The daemon's configuration, as a user would write it: both team routes are two-way, so a reply in either
 * thread reaches the phone and is mirrored into the other team's thread.
 */
export function demoConfigYaml(endpoints: DemoEndpoints, storePath: string): string {
  const discord = endpoints.discordApiUrl !== undefined && endpoints.discordToken !== undefined;
  return [
    'imessage:',
    `  apiUrl: ${JSON.stringify(endpoints.imessageApiUrl)}`,
    `  apiKey: ${JSON.stringify(endpoints.imessageApiKey)}`,
    `  webhookSecret: ${JSON.stringify(demoWebhookSecret)}`,
    'slack:',
    `  botToken: ${JSON.stringify(endpoints.slackBotToken)}`,
    `  appToken: ${JSON.stringify(endpoints.slackAppToken)}`,
    `  apiUrl: ${JSON.stringify(endpoints.slackApiUrl)}`,
    ...(discord
      ? [
          'discord:',
          `  token: ${JSON.stringify(endpoints.discordToken)}`,
          `  apiUrl: ${JSON.stringify(endpoints.discordApiUrl)}`,
        ]
      : []),
    'server: { host: 127.0.0.1, port: 0 }',
    `store: { path: ${JSON.stringify(storePath)} }`,
    'routes:',
    `  - line: ${JSON.stringify(demoLine)}`,
    `    slack: { channel: ${demoSlackChannel.id}, mode: two-way }`,
    ...(discord ? [`    discord: { channel: ${JSON.stringify(demoDiscordChannel.id)}, mode: two-way }`] : []),
    '',
  ].join('\n');
}
