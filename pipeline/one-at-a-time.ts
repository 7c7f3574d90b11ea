/**
 * Runs the run's local activities one at a time, each taking the run's progress as it is when its
 * turn comes. Local activities resolve in the order they complete when a run executes but in the
 * order they were scheduled when it replays: two in flight at once could resume the items in
 * another order on replay and issue their commands in another order (non-determinism). The
 * database steps are short; the AI calls, regular activities, still run side by side.
 */
export function oneAtATime(): <T>(step: () => Promise<T>) => Promise<T> {
  let lane: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>) => {
    const result = lane.then(step);
    lane = result.catch(() => undefined);
    return result;
  };
}
