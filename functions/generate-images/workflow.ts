import { generateImages } from './definition';
import type { RunInput } from '../../pipeline/run-io';
import type { TaskResult } from '../../pipeline/progress';
import { runAIFunction } from '../../pipeline/run-ai-function';

/** Generates an image for each image row with a prompt. */
export async function generateImagesWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateImages, input);
}
