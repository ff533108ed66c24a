import type { Logger } from 'pino';
import type { Destination, QueueItem } from './destination.js';
import { QueueClosedError } from './queue-closed-error.js';
import type { QueueMetrics, WaitReason } from './queue-metrics.js';
import type { Sleeper, WakeSet } from './sleeper.js';
import type { Blocker, Throttle } from './throttle.js';

export interface TurnContext {
  readonly log: Logger;
  readonly metrics: QueueMetrics;
  readonly sleeper: Sleeper;
  readonly isClosed: () => boolean;
  /** Milliseconds on the queues' clock. */
  readonly now: () => number;
}

/**
 * Waits until the item may make its next call, then takes the tokens for it; resolves with the time it took them.
 * `pacing` is false for a reconcile, which is not a send: it only draws from the shared buckets. The clock is
 * re-read after every wake-up, so a timer that fires early never lets a call start inside a pause.
 */
export async function waitForTurn(
  ctx: TurnContext,
  destination: Destination,
  item: QueueItem<unknown>,
  pacing: boolean,
): Promise<number> {
  // Buckets this send is marked as waiting for. The mark is dropped in the same synchronous step as the re-check
  // after waking, so a poll woken by the same tick cannot slip in between.
  let starved: readonly Throttle[] = [];
  try {
    for (;;) {
      if (ctx.isClosed()) throw new QueueClosedError();
      const now = ctx.now();
      for (const bucket of starved) bucket.removeWaitingSend();
      const released = starved;
      starved = [];
      const blockers: Blocker[] = [];
      // Send-before-poll is a rule of shared buckets; a destination's own pacing treats every item alike.
      destination.own.collectBlockers(now, 'send', pacing, blockers);
      for (const bucket of destination.shared) bucket.collectBlockers(now, item.priority, true, blockers);
      if (blockers.length === 0) {
        if (pacing) destination.own.take(now);
        for (const bucket of destination.shared) bucket.take(now);
      } else {
        starved = planSleep(blockers, item, destination);
        for (const bucket of starved) bucket.addWaitingSend();
      }
      // Polls yielding to this send look again (they run after this step, so they see the tokens already taken).
      for (const bucket of released) bucket.wakeWaiters();
      if (blockers.length === 0) return now;
      await sleepThrough(ctx, destination, item, blockers, now);
    }
  } finally {
    for (const bucket of starved) {
      bucket.removeWaitingSend();
      bucket.wakeWaiters();
    }
  }
}

/** The shared buckets whose tokens hold this send longest: it is marked as waiting for them while it sleeps. */
function planSleep(blockers: readonly Blocker[], item: QueueItem<unknown>, destination: Destination): Throttle[] {
  if (item.priority !== 'send') return [];
  const longest = Math.max(...blockers.map((blocker) => (blocker.kind === 'yield' ? 0 : blocker.waitMs)));
  // A send held by its own destination's pause must not keep the polls of the whole bucket waiting.
  return blockers
    .filter((blocker) => blocker.kind === 'tokens' && blocker.throttle !== destination.own && blocker.waitMs >= longest)
    .map((blocker) => blocker.throttle);
}

async function sleepThrough(
  ctx: TurnContext,
  destination: Destination,
  item: QueueItem<unknown>,
  blockers: readonly Blocker[],
  now: number,
): Promise<void> {
  // Sleep until the longest timed blocker lifts (the shorter ones are gone by then); a poll that yields to a send
  // also wakes when that send gets its tokens.
  let longest: Blocker | undefined;
  let told: Blocker | undefined;
  const wakeSets: WakeSet[] = [];
  for (const blocker of blockers) {
    if (blocker.kind === 'yield') wakeSets.push(blocker.throttle.wakeSet);
    else if (longest === undefined || blocker.waitMs > longest.waitMs) longest = blocker;
    if (blocker.kind === 'pause' && blocker.reason === 'retry_after') told = blocker;
  }
  const waitMs = longest?.waitMs ?? Number.POSITIVE_INFINITY;
  // A platform's Retry-After is why the send waits even when the budget it stated resets a moment later.
  const reason: WaitReason = told?.reason ?? longest?.reason ?? 'pacing';
  ctx.log[reason === 'pacing' ? 'debug' : 'info'](
    {
      destination: destination.key,
      itemId: item.id,
      label: item.label,
      waitMs: Number.isFinite(waitMs) ? Math.ceil(waitMs) : null,
      reason,
      blockedBy: longest?.throttle.name ?? blockers[0]?.throttle.name,
    },
    'Send waiting',
  );
  try {
    await ctx.sleeper.sleep(waitMs, wakeSets);
  } finally {
    const waited = ctx.now() - now;
    if (waited > 0) ctx.metrics.waitSeconds.inc({ destination: destination.key, reason }, waited / 1000);
  }
}
