import { LocalSimulator } from '../shared/local-simulator.js';
import { DEFAULT_WAIT_MS, recorderWait } from '../shared/wait-options.js';
import { SimCore, type SimConfig } from './core.js';
import { FaultList } from './faults.js';
import { simulateInbound, simulateReaction, simulateSentFromPhone } from './phone.js';
import { createSimulatorServer } from './server.js';
import type {
  DeliveryMatch,
  FaultSpec,
  RecordedDelivery,
  RecordedRequest,
  RequestMatch,
  SendsPerLineLimit,
  SimMessage,
  SimReaction,
  SimStateView,
  SimulateInboundInput,
  SimulateReactionInput,
  SimulateSentFromPhoneInput,
  SimulatorOptions,
} from './types.js';

function resolveConfig(options: SimulatorOptions): SimConfig {
  const basePath = (options.basePath ?? '/v1').replace(/\/+$/, '');
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    basePath,
    apiKeys: options.apiKeys ?? ['sk_live_test'],
    lines: options.lines ?? [{ handle: '+15551234567' }],
    hourlyBudget: options.hourlyBudget ?? 1000,
    sendsPerLine: resolveSendsPerLine(options.sendsPerLine),
    retryAfterFormat: options.retryAfterFormat ?? 'seconds',
    outboxDelayMs: options.outboxDelayMs ?? 50,
    webhookSecret: options.webhookSecret,
    webhookRetries: options.webhookRetries ?? 0,
    webhookRetryDelaysMs: resolveRetryDelays(options.webhookRetryDelaysMs),
    webhookTimeoutMs: options.webhookTimeoutMs ?? 5000,
    blobContentLength: options.blobContentLength ?? true,
    now: options.now ?? Date.now,
  };
}

function resolveSendsPerLine(limit: SimulatorOptions['sendsPerLine']): SendsPerLineLimit | false {
  if (limit === undefined || limit === false) return false;
  if (!Number.isInteger(limit.count) || limit.count < 1 || !(limit.perMs > 0)) {
    throw new TypeError('messages.dev simulator: sendsPerLine needs a positive integer count and perMs > 0');
  }
  return { count: limit.count, perMs: limit.perMs };
}

function resolveRetryDelays(delays: number[] | undefined): readonly number[] | undefined {
  if (delays === undefined) return undefined;
  if (delays.length === 0 || delays.some((ms) => !(ms >= 0))) {
    throw new TypeError('messages.dev simulator: webhookRetryDelaysMs needs at least one delay, none negative');
  }
  return [...delays];
}

/**
 * A running local messages.dev. Emits 'message' (SimMessage), 'reaction' (SimReaction), 'outbox' (the item
 * after each status change) and 'delivery' (RecordedDelivery).
 */
export class MessagesDevSimulator extends LocalSimulator<SimCore> {
  readonly #faults: FaultList;

  constructor(options: SimulatorOptions = {}) {
    const faults = new FaultList();
    super(
      (emitter) => new SimCore(resolveConfig(options), emitter),
      (core) => createSimulatorServer(core, faults),
    );
    this.#faults = faults;
  }

  /** The origin plus the base path: what a client is configured with. */
  get apiUrl(): string {
    return `${this.core.origin}${this.core.config.basePath}`;
  }

  /** The first accepted key. */
  get apiKey(): string {
    return this.core.config.apiKeys[0] ?? '';
  }

  /** Every API request, in the order they were answered. */
  get requests(): readonly RecordedRequest[] {
    return this.core.requests.items;
  }

  /** Every request to a blob (storage) URL; these need no auth and do not count against the budget. */
  get blobRequests(): readonly RecordedRequest[] {
    return this.core.blobRequests.items;
  }

  /**
   * Requests refused with 429 although an earlier 429 of the same limit (hourly budget per key, sends per line,
   * a '429' outage) had told the client to wait and that Retry-After had not passed.
   */
  get violations(): readonly RecordedRequest[] {
    return this.core.violations.items;
  }

  /** Requests the current and past outages refused (also in `requests`; status 0 for held ones). */
  get outageRefusals(): readonly RecordedRequest[] {
    return this.core.outage.refused.items;
  }

  /** Every webhook POST attempt. */
  get deliveries(): readonly RecordedDelivery[] {
    return this.core.deliveries.items;
  }

  get state(): SimStateView {
    return this.core.state;
  }

  /** The first request (already recorded or still to come) that matches. */
  waitForRequest(match: RequestMatch, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedRequest> {
    return this.core.requests.waitFor(
      (request) =>
        (match.method === undefined || request.method === match.method.toUpperCase()) &&
        (match.path === undefined || request.path === match.path) &&
        (match.predicate === undefined || match.predicate(request)),
      recorderWait({ timeoutMs, since: match.since }, `request ${match.method ?? '*'} ${match.path ?? '*'}`),
    );
  }

  /** The first delivery (already recorded or still to come) that matches. */
  waitForDelivery(match: DeliveryMatch, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedDelivery> {
    return this.core.deliveries.waitFor(
      (delivery) =>
        (match.event === undefined || delivery.event === match.event) &&
        (match.predicate === undefined || match.predicate(delivery)),
      recorderWait({ timeoutMs, since: match.since }, `delivery ${match.event ?? '*'}`),
    );
  }

  /** A contact texts the line: records the message (and chat, files) and delivers `message.received`. */
  simulateInbound(
    input: SimulateInboundInput,
  ): Promise<{ message: SimMessage; chatId: string; deliveries: RecordedDelivery[] }> {
    return simulateInbound(this.core, input);
  }

  /** A contact adds (or removes, `added: false`) a tapback: `reaction.added` / `reaction.removed`. */
  simulateReaction(input: SimulateReactionInput): Promise<{ reaction: SimReaction; deliveries: RecordedDelivery[] }> {
    return simulateReaction(this.core, input);
  }

  /** The line's own phone sends a message: `message.sent` with `outbox_id: null`. */
  simulateSentFromPhone(
    input: SimulateSentFromPhoneInput,
  ): Promise<{ message: SimMessage; deliveries: RecordedDelivery[] }> {
    return simulateSentFromPhone(this.core, input);
  }

  /** Posts a recorded delivery again with the same delivery_id (fresh timestamp and signature). */
  replayDelivery(deliveryId: string): Promise<RecordedDelivery> {
    return this.core.webhooks.replay(deliveryId);
  }

  /** The next `count` message outbox items end 'failed' with `reason` as their error (and no message.sent). */
  failNextSends(count: number, reason: string): void {
    this.core.failSends.count = count;
    this.core.failSends.reason = reason;
  }

  /** The next matching request(s) fail, hang, are delayed or lose their connection (see FaultSpec). */
  inject(fault: FaultSpec): void {
    this.#faults.add(fault);
  }
}
