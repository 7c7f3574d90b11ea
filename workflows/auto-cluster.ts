import { autoCluster } from '../core/functions';
import type { RunInput } from '../core/run';
import type { TaskResult } from '../core/progress';
import { runAIFunction } from './pipeline';

/** Groups keywords into semantic clusters. */
export async function autoClusterWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(autoCluster, input);
}
