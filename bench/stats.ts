/** Small statistics for the benchmarks. */

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Percentiles of an unsorted array. */
export function percentiles(values: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN, n: sorted.length };
}

/** Least-squares line through (x, y): slope, intercept and the slope's standard error. */
export function leastSquares(points: readonly { x: number; y: number }[]): {
  slope: number;
  intercept: number;
  slopeStdErr: number;
} {
  const n = points.length;
  if (n < 3) return { slope: NaN, intercept: NaN, slopeStdErr: NaN };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = points.reduce((sum, p) => sum + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return { slope, intercept, slopeStdErr: Math.sqrt(residual / (n - 2) / sxx) };
}

/**
 * Time the platform's limit needs for `n` posts, the first going at once: a token bucket (`burst` back to back,
 * then `count` per `perMs`), or fixed/sliding windows of `count` per `perMs` (burst = count, then a window each).
 */
export function allowedMs(
  n: number,
  limit: { count: number; perMs: number; burst?: number },
  kind: 'bucket' | 'window',
): number {
  if (n <= 0) return 0;
  if (kind === 'window') return Math.floor((n - 1) / limit.count) * limit.perMs;
  const burst = limit.burst ?? 1;
  return (Math.max(0, n - burst) * limit.perMs) / limit.count;
}
