import { pino } from 'pino';
import { EffectRunner } from '../../src/core/effect-runner.js';
import type { BridgeEvent, BridgeId, Ingress } from '../../src/core/model.js';
import { createReactionTable } from '../../src/core/reactions.js';
import { createRouter, type Router } from '../../src/core/router.js';
import type { RouteSpec } from '../../src/core/routes.js';
import { openMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { FakePhoneBridge, FakeTeamBridge } from './fake-bridges.js';
import { waitFor } from './wait-for.js';
import { phoneTextOrderOf } from '../../src/core/effect-ops.js';

export const line = '+15551234567';
export const key = { line, chat: 'cht_alice' };
export const replies = { mode: 'auto', notePrefix: '//', sendPrefix: '>>' } as const;

/** The default route: Slack two-way, Discord mirror. */
export const defaultRoute: RouteSpec = {
  line,
  teams: {
    slack: { channel: 'C0SUPPORT', mode: 'two-way' },
    discord: { channel: '112233445566778899', mode: 'mirror' },
  },
  replies,
};

export interface RouterWorldOptions {
  readonly route?: Partial<RouteSpec>;
  readonly maxAgeMs?: number;
  readonly retry?: { baseMs: number; capMs: number };
  readonly now?: () => number;
  readonly pollScheduleMs?: number[];
}

/** The router and the effect runner on a memory store, with fake bridges: the core without any SDK. */
export interface RouterWorld {
  readonly store: Store;
  readonly phone: FakePhoneBridge;
  readonly slack: FakeTeamBridge;
  readonly discord: FakeTeamBridge;
  readonly router: Router;
  readonly runner: EffectRunner;
  /** Plans an event (as the journal planner would) without waiting. */
  plan(event: BridgeEvent): void;
  /** Plans an event and waits until every effect that can run now has run. */
  route(event: BridgeEvent): Promise<void>;
  /** Waits until nothing can run now (the rest is dead, waiting for a time, or for a bridge). */
  settle(): Promise<void>;
  /** A new process on the same store and the same fake platforms: a restart (the old runner is stopped). */
  restart(options?: { phone?: FakePhoneBridge }): Promise<RouterWorld>;
}

export async function routerWorld(
  options: RouterWorldOptions = {},
  existing?: Partial<RouterWorld>,
): Promise<RouterWorld> {
  const store = existing?.store ?? (await openMemoryStore({ pruneIntervalMs: 0 }));
  const phone = existing?.phone ?? new FakePhoneBridge();
  const slack = existing?.slack ?? new FakeTeamBridge('slack');
  const discord = existing?.discord ?? new FakeTeamBridge('discord');
  const stateOf = (bridge: BridgeId) => (bridge === 'imessage' ? phone : bridge === 'slack' ? slack : discord).state();
  const runner: EffectRunner = new EffectRunner({
    store,
    apply: (effect, replay) => router.apply(effect, replay),
    bridgesOf: (effect) => router.bridgesOf(effect),
    orderOf: (effect) => phoneTextOrderOf(effect.op),
    isReady: (bridge) => stateOf(bridge) === 'connected',
    onDead: (effect, reason) => router.afterFailure(effect, reason),
    log: pino({ level: 'silent' }),
    maxAgeMs: options.maxAgeMs ?? 24 * 3_600_000,
    retry: options.retry ?? { baseMs: 5, capMs: 20 },
    readinessPollMs: 5,
    ...(options.now ? { now: options.now } : {}),
  });
  const router = createRouter({
    store,
    phone,
    teams: { slack, discord },
    routes: [{ ...defaultRoute, ...options.route }],
    reactions: createReactionTable(),
    effects: runner,
    log: pino({ level: 'silent' }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.pollScheduleMs ? { pollScheduleMs: options.pollScheduleMs } : {}),
  });
  runner.start();
  let n = 0;
  const now = options.now ?? Date.now;
  const world: RouterWorld = {
    store,
    phone,
    slack,
    discord,
    router,
    runner,
    plan: (event) => router.plan({ dedupeKey: `test:${n++}`, event } satisfies Ingress),
    async route(event) {
      world.plan(event);
      await world.settle();
    },
    async settle() {
      await waitFor(
        () =>
          runner.running === 0 &&
          store.effects
            .list()
            .every(
              (effect) =>
                effect.deadAt !== undefined ||
                (effect.notBefore ?? 0) > now() ||
                router.bridgesOf(effect).some((bridge) => stateOf(bridge) !== 'connected'),
            ),
        { timeoutMs: 5_000, message: 'effects settled' },
      );
    },
    async restart(next = {}) {
      await runner.stop(0);
      return routerWorld(options, { store, phone: next.phone ?? phone, slack, discord });
    },
  };
  return world;
}
