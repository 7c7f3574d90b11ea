import type { ActivityDeps } from './deps';
import { createRunRecordActivities } from './run-record';
import { createTaskEventActivities } from './live-progress';
import { createCompletionActivities } from './text-completion';

/**
 * The steps every function shares: the run record, live progress and the text model call;
 * `streamsText` says which functions' answers are streamed to live readers.
 */
export function createSharedActivities(deps: ActivityDeps, streamsText: (functionName: string) => boolean) {
  return {
    ...createRunRecordActivities(deps),
    ...createTaskEventActivities(deps),
    ...createCompletionActivities(deps, streamsText),
  };
}

export type { ActivityDeps } from './deps';
