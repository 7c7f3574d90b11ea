import { autoCluster } from './definition';
import type { RunInput } from '../../pipeline/run-io';
import type { TaskResult } from '../../pipeline/progress';
import { runAIFunction } from '../../pipeline/run-ai-function';

/** Groups keywords into semantic clusters. */
export async function autoClusterWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(autoCluster, input);
}
