import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ProgressUpdate } from './live-progress';
import type { TaskProgress } from './progress';

/** The progress object (docs/progress.md), answered from workflow state while the run is open. */
export const taskProgressQuery = defineQuery<TaskProgress>('taskProgress');

/** A child run's progress change, sent to the parent run whose progress is composed of its children's. */
export interface ChildProgress {
  /** The child's function name. */
  child: string;
  update: ProgressUpdate;
}

export const childProgressSignal = defineSignal<[ChildProgress]>('childProgress');
