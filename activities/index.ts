import type { ActivityDeps } from './deps';
import { createAutoClusterActivities } from '../functions/auto-cluster/activities';
import { createCompletionActivities } from './text-completion';
import { createGenerateContentActivities } from '../functions/generate-content/activities';
import { createGenerateIdeasActivities } from '../functions/generate-ideas/activities';
import { createImageActivities } from '../functions/generate-images/activities';
import { createImagePromptActivities } from '../functions/generate-image-prompts/activities';
import { createRunRecordActivities } from './run-record';
import { createTaskEventActivities } from './live-progress';

/**
 * Every activity the worker registers, built from its dependencies (Prisma client, timeouts);
 * workflows proxy them by the names in each function's definition (core/functions.ts).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunRecordActivities(deps),
    ...createTaskEventActivities(deps),
    ...createCompletionActivities(deps),
    ...createAutoClusterActivities(deps),
    ...createGenerateIdeasActivities(deps),
    ...createGenerateContentActivities(deps),
    ...createImagePromptActivities(deps),
    ...createImageActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
