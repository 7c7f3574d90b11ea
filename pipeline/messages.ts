import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ProgressUpdate } from './live-progress';
import type { TaskProgress } from './progress';

/** The progress object (docs/progress.md), answered from workflow state while the run is open. */
export const taskProgressQuery = defineQuery<TaskProgress>('taskProgress');

/** A child run's progress change, sent to the parent run whose progress is composed of its children's. */
export interface ChildProgress {
  /** The child's function name. */
  child: string;
  /** The child's whole progress answer, or (runs of the earlier pipeline) what changed in it. */
  progress?: TaskProgress;
  update?: ProgressUpdate;
  /**
   * Numbers the child's whole answers 1, 2, 3…: signals may arrive out of order, and an answer older
   * than one already taken is dropped. Absent from runs of the earlier pipeline.
   */
  seq?: number;
}

/** A waiting AI call of the run was granted a slot (by another run's step): it can start. */
export const aiCallSlotSignal = defineSignal<[{ itemKey: string }]>('aiCallSlotGranted');

export const childProgressSignal = defineSignal<[ChildProgress]>('childProgress');
