import type { EventEmitter } from 'node:events';
import { Outage } from '../shared/outage.js';
import { cancelAllWaits, Recorder } from '../shared/recorder.js';
import type { SimConfig } from './config.js';
import { Gateway } from './gateway.js';
import { RateLimiter } from './rate-limits.js';
import { SnowflakeFactory } from './snowflake.js';
import { SimState } from './state.js';
import type { DiscordSimulatorEvents, GatewayFrame, RecordedCall } from './types.js';

/** The shared innards of the simulator: config, state, ids, records, rate limits and the gateway. */
export class SimCore {
  readonly config: SimConfig;
  readonly state: SimState;
  readonly ids = new SnowflakeFactory();
  readonly calls = new Recorder<RecordedCall>((c) => `${c.method} ${c.route} ${c.status}`);
  readonly violations = new Recorder<RecordedCall>((c) => `${c.method} ${c.route} ${c.status}`);
  readonly frames = new Recorder<GatewayFrame>((f) => `${f.direction}:${f.op}${f.t === undefined ? '' : `:${f.t}`}`);
  readonly limiter = new RateLimiter();
  readonly outage = new Outage<RecordedCall>((c) => `${c.method} ${c.route} ${c.status}`);
  readonly gateway: Gateway;
  readonly #emitter: EventEmitter;
  /** Origin the server listens on (http://host:port); set once it is listening. */
  origin = '';

  constructor(config: SimConfig, emitter: EventEmitter) {
    this.config = config;
    this.#emitter = emitter;
    this.state = new SimState(config);
    this.gateway = new Gateway(this);
  }

  /** An ISO timestamp, as Discord writes them. */
  timestamp(ms = Date.now()): string {
    return new Date(ms).toISOString();
  }

  /** Emits one of the demo events; a throwing listener must not break the request that caused it. */
  emit<K extends keyof DiscordSimulatorEvents>(event: K, ...args: DiscordSimulatorEvents[K]): void {
    try {
      this.#emitter.emit(event, ...args);
    } catch (error) {
      console.error(`Discord simulator: a '${event}' listener threw`, error);
    }
  }

  shutdown(): void {
    this.gateway.close();
    cancelAllWaits([this.calls, this.violations, this.frames], 'The Discord simulator was closed');
  }
}
