import { DiscordSimulator } from './simulator.js';
import type { DiscordSimulatorOptions } from './types.js';

export { DiscordSimulator } from './simulator.js';
export type { OutageMode, OutageSpec } from '../shared/outage.js';
export type {
  BotPermissions,
  BotPermissionsInput,
  CallMatch,
  ChannelInput,
  ChannelType,
  DiscordSimulatorEvents,
  DiscordSimulatorOptions,
  DiscordStateView,
  GatewayFrame,
  MemberInput,
  MessageOrigin,
  PostAsMemberInput,
  RateLimitOptions,
  ReactInput,
  RecordedCall,
  SimAttachment,
  SimChannel,
  SimEmoji,
  SimMember,
  SimMessage,
  SimReaction,
  SimRole,
  SimThread,
  SimUser,
  SimWebhook,
  ThreadType,
  UploadFileInput,
  WaitOptions,
} from './types.js';

/**
 * Starts a local Discord for the real discord.js: REST under `${url}/api/v10` (give discord.js
 * `rest: { api: sim.apiUrl }`) and a JSON gateway whose URL GET /gateway/bot announces. Close it with `close()`.
 */
export async function startDiscordSimulator(options: DiscordSimulatorOptions = {}): Promise<DiscordSimulator> {
  const simulator = new DiscordSimulator(options);
  await simulator.listen();
  return simulator;
}
