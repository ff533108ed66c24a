/**
 * What a chaos run delivered, compared with what it should have: per stream (one chat on one destination),
 * the tokens lost, those that came more than once, and those that came out of order. Pure, so the unit
 * tests can feed it a loss, a duplicate and a reorder.
 */

/** Loss, duplication and order of one stream, or of many summed. */
export interface StreamTally {
  /** Expected tokens that never arrived. */
  readonly lost: number;
  /** Extra arrivals of a token that had already arrived. */
  readonly duplicated: number;
  /** Arrivals (first ones) that came after a token expected later. */
  readonly outOfOrder: number;
}

export interface StreamReport extends StreamTally {
  readonly stream: string;
  readonly expected: number;
  readonly arrived: number;
  /** A few of the offending tokens, for the failure message. */
  readonly examples: readonly string[];
}

/**
 * Compares one stream. `expected` is the order the tokens were sent in; `observed` the order they are seen
 * at the destination (unknown tokens are counted as duplicates of nothing: they are reported as examples).
 * A token counts as out of order when, among first arrivals, it comes after a token expected later than it.
 */
export function tallyStream(stream: string, expected: readonly string[], observed: readonly string[]): StreamReport {
  const rank = new Map(expected.map((token, index) => [token, index]));
  const seen = new Set<string>();
  const examples: string[] = [];
  let duplicated = 0;
  let outOfOrder = 0;
  let highest = -1;
  for (const token of observed) {
    const position = rank.get(token);
    if (position === undefined) {
      examples.push(`unexpected ${token}`);
      duplicated++;
      continue;
    }
    if (seen.has(token)) {
      duplicated++;
      examples.push(`twice ${token}`);
      continue;
    }
    seen.add(token);
    if (position < highest) {
      outOfOrder++;
      examples.push(`late ${token}`);
    }
    highest = Math.max(highest, position);
  }
  const missing = expected.filter((token) => !seen.has(token));
  examples.push(...missing.slice(0, 5).map((token) => `lost ${token}`));
  return {
    stream,
    expected: expected.length,
    arrived: observed.length,
    lost: missing.length,
    duplicated,
    outOfOrder,
    examples: examples.slice(0, 8),
  };
}

/** Sums stream reports (e.g. every chat of one platform). */
export function sumTallies(reports: readonly StreamTally[]): StreamTally {
  return reports.reduce<StreamTally>(
    (sum, report) => ({
      lost: sum.lost + report.lost,
      duplicated: sum.duplicated + report.duplicated,
      outOfOrder: sum.outOfOrder + report.outOfOrder,
    }),
    { lost: 0, duplicated: 0, outOfOrder: 0 },
  );
}

/** A destination's documented pace: `count` calls per `perMs`, a sliding window. */
export interface Pace {
  readonly count: number;
  readonly perMs: number;
}

/**
 * The earliest time a destination paced at `pace` can have made every call, starting no earlier than
 * `start`, when the i-th call becomes possible at `readyAt[i]` (its text arrived): each call goes as soon as
 * it is ready and the window allows. This is the platforms' limit; a drain is measured against it.
 */
export function earliestFinish(readyAt: readonly number[], start: number, pace: Pace): number {
  const sent: number[] = [];
  for (const ready of [...readyAt].sort((a, b) => a - b)) {
    const windowFrees = sent.length >= pace.count ? sent[sent.length - pace.count]! + pace.perMs : -Infinity;
    sent.push(Math.max(ready, start, windowFrees));
  }
  return sent.length === 0 ? start : sent[sent.length - 1]!;
}
