import { generateImagePrompts } from '../core/functions';
import type { RunInput } from '../core/run';
import type { TaskResult } from '../core/progress';
import { runAIFunction } from './pipeline';

/** Extracts featured and in-article image prompts from each content. */
export async function generateImagePromptsWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateImagePrompts, input);
}
