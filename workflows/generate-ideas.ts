import { generateIdeas } from '../core/functions';
import type { RunInput } from '../core/run';
import type { TaskResult } from '../core/progress';
import { runAIFunction } from './pipeline';

/** Turns keyword clusters into content ideas. */
export async function generateIdeasWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateIdeas, input);
}
