import { generateImages } from '../core/functions';
import type { RunInput } from '../core/run';
import type { TaskResult } from '../core/progress';
import { runAIFunction } from './pipeline';

/** Generates an image for each image row with a prompt. */
export async function generateImagesWorkflow(input: RunInput): Promise<TaskResult> {
  return runAIFunction(generateImages, input);
}
