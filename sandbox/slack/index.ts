import { SlackSimulator } from './simulator.js';
import type { SlackSimulatorOptions } from './types.js';

export { DEFAULT_SCOPES } from './config.js';
export { escapeSlackText } from './messages.js';
export { signSlackRequest } from './signing.js';
export { SlackSimulator, type WaitOptions } from './simulator.js';
export type { OutageMode, OutageSpec } from '../shared/outage.js';
export type {
  DeleteAsUserInput,
  DeliveryOutcome,
  DisconnectReason,
  EditAsUserInput,
  EventDelivery,
  MissedEvent,
  MissedReason,
  PostAsUserInput,
  PostMessageLimit,
  ReactInput,
  RecordedAck,
  RecordedCall,
  RecordedConnection,
  RecordedDelivery,
  RecordedDownload,
  SimBotInput,
  SimChannel,
  SimChannelInput,
  SimEphemeral,
  SimFile,
  SimMessage,
  SimMessageMetadata,
  SimReaction,
  SimStateView,
  SimTeamInput,
  SimUser,
  SimUserInput,
  SlackFault,
  SlackSimEvents,
  SlackSimulatorOptions,
  SlashCommandInput,
} from './types.js';

/**
 * Starts a local Slack that the real @slack/bolt (Socket Mode or HTTP Events API) and @slack/web-api talk to:
 * point `clientOptions.slackApiUrl` at `sim.apiUrl`. Close it with `close()` after stopping the app.
 */
export async function startSlackSimulator(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const simulator = new SlackSimulator(options);
  await simulator.listen();
  return simulator;
}
