import type { ActivityDeps } from '../activities/deps';
import { createAutoClusterActivities } from './auto-cluster/activities';
import { createAutoGenerateImagesActivities } from './auto-generate-images/activities';
import { createGenerateContentActivities } from './generate-content/activities';
import { createGenerateIdeasActivities } from './generate-ideas/activities';
import { createImagePromptActivities } from './generate-image-prompts/activities';
import { createImageActivities } from './generate-images/activities';
import type { FunctionName } from '.';

/** Each function's own activities, by function. */
export const FUNCTION_ACTIVITIES = {
  auto_cluster: createAutoClusterActivities,
  generate_ideas: createGenerateIdeasActivities,
  generate_content: createGenerateContentActivities,
  generate_image_prompts: createImagePromptActivities,
  generate_images: createImageActivities,
  auto_generate_images: createAutoGenerateImagesActivities,
};

// A function missing above does not compile. (A separate statement: the definitions' types
// depend on the activities' types, so the check cannot sit in FUNCTION_ACTIVITIES' own initializer.)
const everyFunctionRegistered: Record<FunctionName, (deps: ActivityDeps) => object> = FUNCTION_ACTIVITIES;
void everyFunctionRegistered;
