/** Nearest-rank percentile of unsorted samples (p in 0–100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** One figure over several rounds: the median round, and the lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

export function spread(rounds: number[]): Spread {
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds };
}

/** The middle value; with an even count, the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The spread of a ratio a/b taken round by round (both measured in the same round). */
export function ratioSpread(a: number[], b: number[]): Spread {
  return spread(a.map((value, i) => value / b[i]));
}

export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}
