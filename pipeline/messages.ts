import { defineQuery } from '@temporalio/workflow';
import type { TaskProgress } from './progress';

/** The progress object (docs/progress.md), answered from workflow state while the run is open. */
export const taskProgressQuery = defineQuery<TaskProgress>('taskProgress');
