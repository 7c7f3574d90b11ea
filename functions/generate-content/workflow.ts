import { generateContent } from './definition';
import type { RunInput } from '../../pipeline/run-io';
import type { TaskResult } from '../../pipeline/progress';
import { runAIFunction } from '../../pipeline/run-ai-function';

/** Writes one article per writer task. */
export async function generateContentWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateContent, input);
}
