import { setMaxListeners, type EventEmitter } from 'node:events';
import { Outage } from '../shared/outage.js';
import { cancelAllWaits, Recorder } from '../shared/recorder.js';
import { TimerSet } from '../shared/timers.js';
import { newBlobToken, newId } from './ids.js';
import { ApiLimits } from './limits.js';
import { SimState } from './state.js';
import type {
  LineInput,
  RecordedDelivery,
  RecordedRequest,
  SendsPerLineLimit,
  SimAttachment,
  SimFile,
} from './types.js';
import { WebhookDispatcher } from './webhooks.js';

/** Options with every default applied. */
export interface SimConfig {
  host: string;
  port: number;
  basePath: string;
  apiKeys: string[];
  lines: LineInput[];
  hourlyBudget: number;
  sendsPerLine: SendsPerLineLimit | false;
  retryAfterFormat: 'seconds' | 'http-date';
  outboxDelayMs: number;
  webhookSecret: string | undefined;
  webhookRetries: number;
  webhookRetryDelaysMs: readonly number[] | undefined;
  webhookTimeoutMs: number;
  blobContentLength: boolean;
  now: () => number;
}

/** The shared innards of the simulator: state, clock, timers, recorders and webhook delivery. */
export class SimCore {
  readonly config: SimConfig;
  readonly state: SimState;
  readonly emitter: EventEmitter;
  readonly requests = new Recorder<RecordedRequest>((r) => `${r.method} ${r.path} ${r.status}`);
  readonly blobRequests = new Recorder<RecordedRequest>((r) => `${r.method} ${r.path} ${r.status}`);
  readonly deliveries = new Recorder<RecordedDelivery>((d) => `${d.event} ${d.deliveryId} ${d.status}`);
  /** Requests that came back inside a Retry-After window they had been given (and were refused again). */
  readonly violations = new Recorder<RecordedRequest>((r) => `${r.method} ${r.path} ${r.status}`);
  readonly outage = new Outage<RecordedRequest>((r) => `${r.method} ${r.path} ${r.status}`);
  readonly limits: ApiLimits;
  readonly webhooks: WebhookDispatcher;
  /** Remaining forced send failures (failNextSends). */
  readonly failSends = { count: 0, reason: '' };
  /** Origin the server listens on; set once it is listening. */
  origin = '';
  readonly #blobTokens = new Map<string, string>();
  readonly #timers = new TimerSet();
  readonly #closing = new AbortController();

  constructor(config: SimConfig, emitter: EventEmitter) {
    // Every delivery in flight listens for the close: a burst has more than the default ten at once.
    setMaxListeners(0, this.#closing.signal);
    this.config = config;
    this.emitter = emitter;
    this.state = new SimState(config.lines);
    this.limits = new ApiLimits({
      hourlyBudget: config.hourlyBudget,
      sendsPerLine: config.sendsPerLine,
      retryAfterFormat: config.retryAfterFormat,
      now: config.now,
      violations: this.violations,
    });
    this.webhooks = new WebhookDispatcher({
      state: this.state,
      recorder: this.deliveries,
      emitter,
      now: config.now,
      retries: config.webhookRetries,
      retryDelaysMs: config.webhookRetryDelaysMs,
      timeoutMs: config.webhookTimeoutMs,
      signal: this.#closing.signal,
    });
  }

  now(): number {
    return this.config.now();
  }

  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  /** Runs `fn` after `ms` unless the simulator closes first. */
  schedule(ms: number, fn: () => void): void {
    this.#timers.schedule(ms, fn);
  }

  /** A fresh storage-style URL for a file's bytes (served without auth, like a signed storage URL). */
  mintBlobUrl(fileId: string): string {
    const token = newBlobToken();
    this.#blobTokens.set(token, fileId);
    return `${this.origin}/blobs/${token}`;
  }

  fileForBlobToken(token: string): SimFile | undefined {
    const fileId = this.#blobTokens.get(token);
    return fileId === undefined ? undefined : this.state.fileById(fileId);
  }

  createFile(input: { data: Buffer; mimeType: string; filename: string | null; transcription?: string }): SimFile {
    const id = newId('file');
    const file: SimFile = {
      id,
      url: this.mintBlobUrl(id),
      filename: input.filename,
      mime_type: input.mimeType,
      size: input.data.length,
      data: input.data,
      transcription: input.transcription ?? null,
      created_at: this.now(),
    };
    this.state.files.push(file);
    return file;
  }

  /** How a file appears as a message attachment. */
  attachmentOf(file: SimFile): SimAttachment {
    return {
      filename: file.filename,
      mime_type: file.mime_type,
      size: file.size,
      url: file.url,
      transcription: file.transcription,
    };
  }

  /** Stops timers and deliveries and fails pending waits. */
  async shutdown(): Promise<void> {
    this.#timers.clear();
    this.#closing.abort();
    await this.webhooks.settle();
    cancelAllWaits(
      [this.requests, this.blobRequests, this.deliveries, this.violations],
      'The messages.dev simulator was closed',
    );
  }
}
