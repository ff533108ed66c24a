import type { DestinationStats } from '../core/effect-runner.js';
import type { Store } from '../store/store.js';
import { errorBody, type HttpServer } from './http-server.js';
import { parseRetryRequest, queueSnapshot, retryDeadLetters } from './queue-view.js';

/** What the queue routes need of the effect runner. */
export interface QueueRunner {
  stats(): DestinationStats[];
  /** Puts a dead letter back in its lane; false when it is not one. */
  requeue(id: number): boolean;
}

export interface QueueRoutesDeps {
  readonly runner: QueueRunner;
  /** The open store: its effects are listed, and a retry is committed before it is answered. */
  readonly store: Pick<Store, 'effects' | 'commit'>;
  readonly now?: () => number;
  /**
   * Why this process cannot answer for the queue right now (a standby replica: the sender holds it), or
   * undefined when it can. Answered 503 with that reason.
   */
  readonly unavailable?: () => string | undefined;
}

/**
 * The operator's view of the effect queue, for `threadline queue`: the daemon owns the store (a second
 * process must not open its files), so the CLI asks it here. Loopback only: these routes have no other
 * authentication, and nothing they answer holds a message's content (see QueueSnapshot).
 *
 * - `GET /admin/queue` → QueueSnapshot
 * - `POST /admin/queue/retry` `{"ids":[…]}` or `{"all":true}` → `{"retried":[…],"unknown":[…],"notDead":[…]}`
 */
export function mountQueueRoutes(server: HttpServer, deps: QueueRoutesDeps): void {
  const now = deps.now ?? Date.now;
  const refusal = () => {
    const reason = deps.unavailable?.();
    return reason === undefined ? undefined : { status: 503, body: errorBody('not_sender', reason) };
  };
  server.addJsonRoute(
    'GET',
    '/admin/queue',
    async () =>
      refusal() ?? { status: 200, body: queueSnapshot(deps.store.effects.list(), now(), deps.runner.stats()) },
    { localOnly: true },
  );
  server.addJsonRoute(
    'POST',
    '/admin/queue/retry',
    async (request) => {
      const refused = refusal();
      if (refused) return refused;
      const parsed = parseRetryRequest(request.body);
      if (typeof parsed === 'string') return { status: 400, body: errorBody('bad_request', parsed) };
      const result = retryDeadLetters(parsed, deps.store.effects, (id) => deps.runner.requeue(id));
      if (result.retried.length > 0) {
        // Durable before the answer: a restart right after must not bring the dead letters back.
        await deps.store.commit();
        request.log.info({ ids: result.retried }, 'Dead letters re-queued by an operator');
      }
      return { status: 200, body: result };
    },
    { localOnly: true },
  );
}
