import type { FunctionRegistry } from '../activities/run-steps';
import { autoClusterSteps } from './auto-cluster/activities';
import { autoCluster } from './auto-cluster/definition';
import { generateContentSteps } from './generate-content/activities';
import { generateContent } from './generate-content/definition';
import { generateIdeasSteps } from './generate-ideas/activities';
import { generateIdeas } from './generate-ideas/definition';
import { generateImagePromptsSteps } from './generate-image-prompts/activities';
import { generateImagePrompts } from './generate-image-prompts/definition';
import { generateImagesSteps } from './generate-images/activities';
import { generateImages } from './generate-images/definition';
import type { PipelineFunctionName } from '.';

/** Each pipeline function's definition and own steps, for the pipeline's shared steps. */
export const FUNCTION_STEPS = {
  auto_cluster: { definition: autoCluster, steps: autoClusterSteps },
  generate_ideas: { definition: generateIdeas, steps: generateIdeasSteps },
  generate_content: { definition: generateContent, steps: generateContentSteps },
  generate_image_prompts: { definition: generateImagePrompts, steps: generateImagePromptsSteps },
  generate_images: { definition: generateImages, steps: generateImagesSteps },
} satisfies FunctionRegistry;

// A pipeline function missing above does not compile (a statement of its own: see activities.ts).
const everyFunctionHasSteps: Record<PipelineFunctionName, unknown> = FUNCTION_STEPS;
void everyFunctionHasSteps;
