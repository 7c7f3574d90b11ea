import { generateIdeas } from './definition';
import type { RunInput } from '../../pipeline/run-io';
import type { TaskResult } from '../../pipeline/progress';
import { runAIFunction } from '../../pipeline/run-ai-function';

/** Turns keyword clusters into content ideas. */
export async function generateIdeasWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateIdeas, input);
}
