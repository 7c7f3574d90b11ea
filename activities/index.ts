import type { ActivityDeps } from './deps';
import { createRunRecordActivities } from './run-record';
import { createTaskEventActivities } from './live-progress';
import { createCompletionActivities } from './text-completion';

/** The steps every function shares: the run record, live progress and the text model call. */
export function createSharedActivities(deps: ActivityDeps) {
  return {
    ...createRunRecordActivities(deps),
    ...createTaskEventActivities(deps),
    ...createCompletionActivities(deps),
  };
}

export type { ActivityDeps } from './deps';
