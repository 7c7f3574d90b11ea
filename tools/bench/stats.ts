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

/** The most intervals open at once (an end at the very moment of a start does not overlap it). */
export function maxInFlight(intervals: Array<{ start: number; end: number }>): number {
  const points = intervals.flatMap(({ start, end }) => [
    { at: start, step: 1 },
    { at: end, step: -1 },
  ]);
  // Ends before starts at the same instant.
  points.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const point of points) {
    open += point.step;
    most = Math.max(most, open);
  }
  return most;
}

/** What a client asks Temporal when it reads a run (the worker's polls and answers are not among them). */
const READ_OPERATIONS = ['QueryWorkflow', 'DescribeWorkflowExecution', 'GetWorkflowExecutionHistory', 'ListWorkflowExecutions', 'CountWorkflowExecutions'];

/**
 * The reads of runs the Temporal frontend has answered (its `service_requests` counters of those
 * operations), from the dev server's Prometheus text; undefined without metrics.
 */
export function temporalReads(metrics: string | undefined): number | undefined {
  if (!metrics) return undefined;
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"')) continue;
    const operation = /operation="([^"]*)"/.exec(line)?.[1];
    if (operation && READ_OPERATIONS.includes(operation)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
