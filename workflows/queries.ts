import { defineQuery } from '@temporalio/workflow';
import type { TaskProgress } from '../core/progress';

/** The progress object of SPEC §4, answered from workflow state while the run is open. */
export const taskProgressQuery = defineQuery<TaskProgress>('taskProgress');
