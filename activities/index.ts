import type { ActivityDeps } from './deps';
import { createAutoClusterActivities } from './auto-cluster';
import { createCompletionActivities } from './completion';
import { createGenerateContentActivities } from './generate-content';
import { createGenerateIdeasActivities } from './generate-ideas';
import { createImageActivities } from './images';
import { createImagePromptActivities } from './image-prompts';
import { createRunRecordActivities } from './run-record';
import { createTaskEventActivities } from './task-events';

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
