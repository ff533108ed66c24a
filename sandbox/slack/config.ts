import type {
  EventDelivery,
  PostMessageLimit,
  SimBotInput,
  SimChannelInput,
  SimTeamInput,
  SimUserInput,
  SlackSimulatorOptions,
} from './types.js';

/** Every bot scope the Threadline bridge needs. */
export const DEFAULT_SCOPES: readonly string[] = [
  'chat:write',
  'chat:write.customize',
  'channels:history',
  'groups:history',
  'channels:read',
  'groups:read',
  'reactions:read',
  'reactions:write',
  'files:read',
  'files:write',
  'users:read',
  'commands',
];

/** Options with every default applied. */
export interface SlackSimConfig {
  host: string;
  port: number;
  botToken: string;
  appToken: string;
  signingSecret: string;
  team: SimTeamInput;
  bot: SimBotInput;
  channels: SimChannelInput[];
  users: SimUserInput[];
  scopes: string[];
  postMessageLimit: Required<PostMessageLimit> | false;
  eventDelivery: EventDelivery;
  httpEventsUrl: string | undefined;
  ackTimeoutMs: number;
  socketMaxResends: number;
  httpRetryDelaysMs: number[];
  httpMaxRetries: number;
  echoTiming: 'after-response' | 'before-response';
  now: () => number;
}

/** Slack's own count of re-sends (Socket Mode) and retries (HTTP events) after the first attempt. */
export const DEFAULT_REDELIVERIES = 3;

function resolveRetryCount(value: number | undefined, name: string): number {
  if (value === undefined) return DEFAULT_REDELIVERIES;
  if (value !== Infinity && (!Number.isInteger(value) || value < 0)) {
    throw new TypeError(`Slack simulator: ${name} must be a whole number ≥ 0 or Infinity`);
  }
  return value;
}

export function resolveConfig(options: SlackSimulatorOptions): SlackSimConfig {
  const customize = options.customizeAllowed ?? true;
  const scopes = [...(options.scopes ?? DEFAULT_SCOPES)].filter(
    (scope) => customize || scope !== 'chat:write.customize',
  );
  const limit = options.rateLimits?.postMessagePerChannel ?? { count: 1, perMs: 1000 };
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    botToken: options.botToken ?? 'xoxb-test',
    appToken: options.appToken ?? 'xapp-test',
    signingSecret: options.signingSecret ?? 'signing-secret',
    team: options.team ?? { id: 'T0000TEST', name: 'Threadline Test' },
    bot: options.bot ?? { userId: 'UBOT', botId: 'BBOT', appId: 'A0TEST', name: 'threadline' },
    channels: options.channels ?? [{ id: 'C0123456789', name: 'support', isPrivate: false, botIsMember: true }],
    users: options.users ?? [
      { id: 'U0ALICE', name: 'alice', realName: 'Alice Archer', displayName: 'Alice' },
      { id: 'U0BOB', name: 'bob', realName: 'Bob Baker', displayName: 'Bob' },
    ],
    scopes,
    postMessageLimit:
      limit === false
        ? false
        : { count: limit.count, perMs: limit.perMs, burst: limit.burst ?? Math.max(3, limit.count) },
    eventDelivery: options.eventDelivery ?? 'socket',
    httpEventsUrl: options.httpEventsUrl,
    ackTimeoutMs: options.ackTimeoutMs ?? 3000,
    socketMaxResends: resolveRetryCount(options.socketMaxResends, 'socketMaxResends'),
    httpRetryDelaysMs: options.httpRetryDelaysMs ?? [0, 100, 500],
    httpMaxRetries: resolveRetryCount(options.httpMaxRetries, 'httpMaxRetries'),
    echoTiming: options.echoTiming ?? 'after-response',
    now: options.now ?? Date.now,
  };
}
