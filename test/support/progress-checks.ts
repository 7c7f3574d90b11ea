import { PHASES } from '../../pipeline/phases';
import type { StepLog, TaskProgress } from '../../pipeline/progress';

/** Both step logs of a progress answer, in the order the steps ran. */
export function stepsInOrder(progress: TaskProgress): StepLog[] {
  return [...progress.meta.request_steps, ...progress.meta.response_steps].sort((a, b) => a.stepNumber - b.stepNumber);
}

/** Polled answers move through the phases in order and their percentage never goes backwards. */
export function expectForwardProgress(seen: TaskProgress[]): void {
  const order = seen.map((p) => PHASES.indexOf(p.meta.phase));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  const percentages = seen.map((p) => p.meta.percentage);
  expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
}
