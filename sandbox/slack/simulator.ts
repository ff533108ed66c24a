import { LocalSimulator } from '../shared/local-simulator.js';
import { recorderWait, type WaitOptions } from '../shared/wait-options.js';
import { runSlashCommand } from './commands.js';
import { resolveConfig } from './config.js';
import { SlackCore } from './core.js';
import { deleteAsUser, editAsUser, postAsUser, react } from './humans.js';
import { createSlackServer } from './server.js';
import type {
  DeleteAsUserInput,
  DeliveryOutcome,
  DisconnectReason,
  EditAsUserInput,
  MissedEvent,
  PostAsUserInput,
  ReactInput,
  RecordedAck,
  RecordedCall,
  RecordedConnection,
  RecordedDelivery,
  RecordedDownload,
  SimStateView,
  SlackFault,
  SlackSimulatorOptions,
  SlashCommandInput,
} from './types.js';

export type { WaitOptions } from '../shared/wait-options.js';

/**
 * A running local Slack (Web API, Socket Mode, HTTP Events API) for the real @slack/bolt and @slack/web-api.
 * Emits (one payload object each, see SlackSimEvents): 'message', 'update', 'delete', 'reaction', 'ephemeral',
 * 'file', 'call', 'connection' and 'ack' (as soon as the app acks a Socket Mode envelope: a crash harness can
 * kill the app right then).
 */
export class SlackSimulator extends LocalSimulator<SlackCore> {
  constructor(options: SlackSimulatorOptions = {}) {
    super((emitter) => new SlackCore(resolveConfig(options), emitter), createSlackServer);
  }

  /** `${url}/api/`: what `clientOptions.slackApiUrl` takes. */
  get apiUrl(): string {
    return `${this.core.origin}/api/`;
  }

  get botToken(): string {
    return this.core.config.botToken;
  }

  get appToken(): string {
    return this.core.config.appToken;
  }

  get signingSecret(): string {
    return this.core.config.signingSecret;
  }

  /** The bot's identity (userId, botId, appId, name) and the team. */
  get bot(): Readonly<{ userId: string; botId: string; appId: string; name: string }> {
    return this.core.config.bot;
  }

  get team(): Readonly<{ id: string; name: string }> {
    return this.core.config.team;
  }

  /** Every Web API call, in the order answered. */
  get calls(): readonly RecordedCall[] {
    return this.core.calls.items;
  }

  /**
   * Calls that came while a Retry-After the caller had been given was still running (answered 429 again):
   * chat.postMessage per channel, and any method during a '429' outage.
   */
  get violations(): readonly RecordedCall[] {
    return this.core.violations.items;
  }

  /** Web API calls the current and past outages refused (also in `calls`; status 0 for held ones). */
  get outageRefusals(): readonly RecordedCall[] {
    return this.core.outage.refused.items;
  }

  /** Socket Mode acks, in arrival order (each names its event_id; see also the 'ack' event). */
  get acks(): readonly RecordedAck[] {
    return this.core.acks.items;
  }

  /** Every attempt to deliver an event or slash command (Socket Mode frames and HTTP POSTs). */
  get deliveries(): readonly RecordedDelivery[] {
    return this.core.deliveries.items;
  }

  /** Events that never reached the app: produced with no socket / no URL, never acked, or HTTP retries exhausted. */
  get missed(): readonly MissedEvent[] {
    return this.core.missed.items;
  }

  /** Socket Mode connections, in the order they got `hello`. */
  get connections(): readonly RecordedConnection[] {
    return this.core.connections.items;
  }

  /** Downloads of url_private / url_private_download. */
  get downloads(): readonly RecordedDownload[] {
    return this.core.downloads.items;
  }

  get state(): SimStateView {
    return this.core.state;
  }

  /** The first call of `method` (already answered or still to come) that matches. */
  waitForCall(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<RecordedCall> {
    return this.core.calls.waitFor(
      (call) => call.method === method && predicate(call),
      recorderWait(options, `call ${method}`),
    );
  }

  /** The first ack (already received or still to come) that matches. */
  waitForAck(predicate: (ack: RecordedAck) => boolean, options: WaitOptions = {}): Promise<RecordedAck> {
    return this.core.acks.waitFor(predicate, recorderWait(options, 'ack'));
  }

  /** The first delivery attempt (already made or still to come) that matches. */
  waitForDelivery(
    predicate: (delivery: RecordedDelivery) => boolean,
    options: WaitOptions = {},
  ): Promise<RecordedDelivery> {
    return this.core.deliveries.waitFor(predicate, recorderWait(options, 'delivery'));
  }

  /**
   * Resolves when a Socket Mode client is connected (has had `hello` and was not asked to leave). With `since`
   * (an index of `connections`), only a connection made after that counts: use it to await a reconnect.
   */
  async waitForConnection(options: number | WaitOptions = {}): Promise<RecordedConnection> {
    return this.core.connections.waitFor(
      (connection) => connection.closedAt === undefined && connection.endedBy === undefined,
      recorderWait(typeof options === 'number' ? { timeoutMs: options } : options, 'a Socket Mode connection'),
    );
  }

  /** A person posts (top level, or a reply with `threadTs`; files make it a `file_share`). */
  postAsUser(input: PostAsUserInput): Promise<DeliveryOutcome & { ts: string }> {
    return postAsUser(this.core, input);
  }

  /** A person edits their message: `message_changed`. */
  editAsUser(input: EditAsUserInput): Promise<DeliveryOutcome> {
    return editAsUser(this.core, input);
  }

  /** A person (or admin) deletes a message: `message_deleted` (a parent with replies: `message_changed` to a tombstone). */
  deleteAsUser(input: DeleteAsUserInput): Promise<DeliveryOutcome> {
    return deleteAsUser(this.core, input);
  }

  /** A person adds (or removes) a reaction: `reaction_added` / `reaction_removed` with `item_user`. */
  react(input: ReactInput): Promise<DeliveryOutcome> {
    return react(this.core, input);
  }

  /** A person runs a slash command; `ack` resolves with what the app acked. */
  slashCommand(input: SlashCommandInput): Promise<{ envelopeId: string | undefined; ack: Promise<unknown> }> {
    return runSlashCommand(this.core, input);
  }

  /** Delivers a delivered event again with the same event_id (retry_attempt / X-Slack-Retry-Num counted up). */
  async replayEvent(eventId: string): Promise<DeliveryOutcome> {
    return this.core.dispatcher.replay(eventId);
  }

  /** Sends `{type:'disconnect', reason}` to every connected socket; they get no more envelopes. */
  disconnect(reason: DisconnectReason = 'refresh_requested'): void {
    this.core.hub.disconnect(reason);
  }

  /** Cuts every Socket Mode connection without a close frame (network loss). */
  dropConnections(): void {
    this.core.hub.drop();
  }

  setHttpEventsUrl(url: string): void {
    this.core.httpEventsUrl = url;
  }

  /** The next matching Web API call(s) fail as described (an error, a 429 or an HTTP status). */
  inject(fault: SlackFault): void {
    this.core.faults.push({ ...fault, remaining: fault.count ?? 1 });
  }
}
