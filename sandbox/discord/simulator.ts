import { LocalSimulator } from '../shared/local-simulator.js';
import { DEFAULT_WAIT_MS, recorderWait } from '../shared/wait-options.js';
import { resolveConfig } from './config.js';
import { SimCore } from './core.js';
import { deleteAsMember, editAsMember, postAsMember, reactAsMember, typeAsMember } from './humans.js';
import { API_PREFIX, createSimulatorServer } from './server.js';
import { setArchived } from './thread-ops.js';
import type {
  CallMatch,
  DiscordSimulatorOptions,
  DiscordStateView,
  GatewayFrame,
  PostAsMemberInput,
  ReactInput,
  RecordedCall,
  SimMessage,
  WaitOptions,
} from './types.js';

function matchesCall(call: RecordedCall, match: CallMatch): boolean {
  if (match.method !== undefined && call.method !== match.method.toUpperCase()) return false;
  if (typeof match.route === 'string' && call.route !== match.route && call.template !== match.route) return false;
  if (match.route instanceof RegExp && !match.route.test(call.route)) return false;
  return match.predicate === undefined || match.predicate(call);
}

/**
 * A running local Discord (REST under /api/v10 + JSON gateway) for the real discord.js. Emits 'message',
 * 'update' (SimMessage), 'delete', 'reaction', 'thread' (SimThread) and 'typing' for the demo.
 */
export class DiscordSimulator extends LocalSimulator<SimCore> {
  constructor(options: DiscordSimulatorOptions = {}) {
    super((emitter) => new SimCore(resolveConfig(options), emitter), createSimulatorServer);
  }

  /** `${url}/api` without a trailing slash: discord.js's `rest.api` (it appends /v10 itself). */
  get apiUrl(): string {
    return `${this.core.origin}${API_PREFIX.replace(/\/v10$/, '')}`;
  }

  /** The accepted bot token. */
  get token(): string {
    return this.core.config.token;
  }

  /** Every REST call, in the order they were answered. */
  get calls(): readonly RecordedCall[] {
    return this.core.calls.items;
  }

  /**
   * Calls refused with 429 while an earlier 429 of the same bucket (per-channel messages, webhooks, global, or a
   * '429' outage per route bucket) had told the client to wait (the client ignored Retry-After).
   */
  get violations(): readonly RecordedCall[] {
    return this.core.violations.items;
  }

  /** REST calls the current and past outages refused (also in `calls`; status 0 for held ones). */
  get outageRefusals(): readonly RecordedCall[] {
    return this.core.outage.refused.items;
  }

  /** Every gateway frame in both directions. */
  get gatewayFrames(): readonly GatewayFrame[] {
    return this.core.frames.items;
  }

  get state(): DiscordStateView {
    return this.core.state;
  }

  /** The first call (already recorded at or after `since`, or still to come) that matches. */
  waitForCall(match: CallMatch, options: WaitOptions = {}): Promise<RecordedCall> {
    const what = `call ${match.method ?? '*'} ${match.route === undefined ? '*' : String(match.route)}`;
    return this.core.calls.waitFor((call) => matchesCall(call, match), recorderWait(options, what));
  }

  /** The first gateway frame (at or after `since`) that matches. */
  waitForFrame(match: (frame: GatewayFrame) => boolean, options: WaitOptions = {}): Promise<GatewayFrame> {
    return this.core.frames.waitFor(match, recorderWait(options, 'gateway frame'));
  }

  /** Resolves once an IDENTIFY was answered with READY (at or after frame index `since`). */
  async waitForIdentify(timeoutMs = DEFAULT_WAIT_MS, since = 0): Promise<void> {
    await this.waitForFrame((frame) => frame.direction === 'out' && frame.t === 'READY', { timeoutMs, since });
  }

  /** Resolves once a RESUME was answered with RESUMED (at or after frame index `since`). */
  async waitForResume(timeoutMs = DEFAULT_WAIT_MS, since = 0): Promise<void> {
    await this.waitForFrame((frame) => frame.direction === 'out' && frame.t === 'RESUMED', { timeoutMs, since });
  }

  /** A member posts in a channel or thread (MESSAGE_CREATE with member and channel_type). */
  async postAsMember(input: PostAsMemberInput): Promise<SimMessage> {
    return postAsMember(this.core, input);
  }

  async editAsMember(input: { channelId: string; messageId: string; content: string }): Promise<void> {
    editAsMember(this.core, input);
  }

  async deleteAsMember(input: { channelId: string; messageId: string }): Promise<void> {
    deleteAsMember(this.core, input);
  }

  /** MESSAGE_REACTION_ADD, or MESSAGE_REACTION_REMOVE with `removed`. */
  async react(input: ReactInput): Promise<void> {
    reactAsMember(this.core, input);
  }

  async typing(input: { userId: string; channelId: string }): Promise<void> {
    typeAsMember(this.core, input);
  }

  /** Archives a thread (THREAD_UPDATE archived:true), as Discord does after auto_archive_duration. */
  archiveThread(threadId: string): void {
    const thread = this.core.state.threads.get(threadId);
    if (!thread) throw new TypeError(`Discord simulator: no thread ${threadId}`);
    setArchived(this.core, thread, true);
  }

  /**
   * Closes the gateway sockets: abruptly without a code (the client sees 1006 and resumes), or with `code`.
   * Dispatches produced meanwhile are replayed to a RESUME.
   */
  dropConnection(options: { code?: number } = {}): void {
    this.core.gateway.dropConnections(options.code);
  }

  /** Sends op 7 RECONNECT: the client reconnects and resumes. */
  requestReconnect(): void {
    this.core.gateway.requestReconnect();
  }

  /** Sends op 9 INVALID_SESSION (`resumable` false also forgets the sessions: the client must IDENTIFY again). */
  invalidateSession(resumable = false): void {
    this.core.gateway.invalidateSessions(resumable);
  }
}
