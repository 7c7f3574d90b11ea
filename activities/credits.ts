/**
 * Credits charged for a run: one credit per started cent of provider cost, at least one for any
 * run that produced output. Kept apart so pricing policy changes in one place.
 */
export function creditsForCost(costUsd: number): number {
  return Math.max(1, Math.ceil(Math.round(costUsd * 1e6) / 1e4));
}
