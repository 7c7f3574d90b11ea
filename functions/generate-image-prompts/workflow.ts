import { generateImagePrompts } from './definition';
import type { RunInput } from '../../pipeline/run-io';
import type { TaskResult } from '../../pipeline/progress';
import { runAIFunction } from '../../pipeline/run-ai-function';

/** Extracts featured and in-article image prompts from each content. */
export async function generateImagePromptsWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateImagePrompts, input);
}
