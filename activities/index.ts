import type { ActivityDeps } from './deps';
import { createAutoClusterActivities } from './auto-cluster';
import { createCompletionActivities } from './completion';
import { createRunRecordActivities } from './run-record';

/**
 * Every activity the worker registers, built from its dependencies (Prisma client, timeouts);
 * workflows proxy `Activities` by name.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunRecordActivities(deps),
    ...createCompletionActivities(deps),
    ...createAutoClusterActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
