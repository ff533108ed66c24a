import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { OutageSpec, OutageSwitch } from './outage.js';
import { closeServer, listenOn } from './server-lifecycle.js';

/** What the shared lifecycle needs of a simulator's core. */
export interface SimulatorCore {
  /** Where to listen (port 0 picks a free one). */
  readonly config: { readonly host: string; readonly port: number };
  /** The origin the server listens on (http://host:port); set by `listen()`, '' before. */
  origin: string;
  /** The API outage switch (see OutageSpec). */
  readonly outage: OutageSwitch;
  /** Stops timers, sockets and deliveries and fails pending waits; runs before the HTTP server closes. */
  shutdown(): void | Promise<void>;
}

/**
 * The listen/url/close scaffolding of a local simulator: an EventEmitter (the demo listens to it) that owns a core
 * and the node:http server in front of it. Subclasses add the platform's records, waits and human actions.
 */
export abstract class LocalSimulator<Core extends SimulatorCore> extends EventEmitter {
  readonly #core: Core;
  readonly #server: Server;

  /** `createCore` gets this simulator as the emitter of its demo events; `createServer` puts the API in front. */
  protected constructor(createCore: (emitter: EventEmitter) => Core, createServer: (core: Core) => Server) {
    super();
    this.#core = createCore(this);
    this.#server = createServer(this.#core);
  }

  /** The core, for subclasses (a getter, so the instance keeps no visible field). */
  protected get core(): Core {
    return this.#core;
  }

  /** Starts listening; resolves once the port is bound. */
  async listen(): Promise<void> {
    const { host, port } = this.#core.config;
    this.#core.origin = await listenOn(this.#server, host, port);
  }

  /** Origin, e.g. http://127.0.0.1:PORT. */
  get url(): string {
    return this.#core.origin;
  }

  /**
   * Starts an outage of the platform's Web/REST API (see OutageSpec for the modes and what keeps working); it
   * replaces one already running. Ends by itself after `durationMs`, else with `endOutage()` or `close()`.
   */
  startOutage(spec: OutageSpec): void {
    this.#core.outage.start(spec);
  }

  /** Ends the outage now (held 'hang' requests are destroyed, never answered); a no-op when none is active. */
  endOutage(): void {
    this.#core.outage.end();
  }

  /** Whether an outage is running. */
  get outageActive(): boolean {
    return this.#core.outage.active;
  }

  /**
   * Stops the core (timers, sockets, deliveries, pending waits), then destroys open (also hanging) HTTP sockets and
   * closes the server. Stop or destroy the clients that use it first.
   */
  async close(): Promise<void> {
    this.#core.outage.close('The simulator was closed');
    await this.#core.shutdown();
    await closeServer(this.#server);
  }
}
