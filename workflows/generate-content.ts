import { generateContent } from '../core/functions';
import type { RunInput } from '../core/run';
import type { TaskResult } from '../core/progress';
import { runAIFunction } from './pipeline';

/** Writes one article per writer task. */
export async function generateContentWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateContent, input);
}
