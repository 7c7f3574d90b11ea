import type { Phase } from './phases';

/** Celery's state names, kept so the old frontend's progress modal keeps working. */
export type TaskState = 'PENDING' | 'PROGRESS' | 'SUCCESS' | 'FAILURE' | 'REVOKED';

export interface StepLog {
  stepNumber: number;
  stepName: string;
  status: 'success' | 'error' | 'pending';
  message: string;
  /** Milliseconds. */
  duration?: number;
  error?: string;
}

export interface ProgressMeta {
  phase: Phase;
  percentage: number;
  message: string;
  request_steps: StepLog[];
  response_steps: StepLog[];
  cost: number;
  tokens: number;
  current?: number;
  total?: number;
  current_item?: string;
}

export interface ItemOutcome {
  id: number | string;
  status: 'success' | 'failed';
  error?: string;
}

/** The result of a successful run: `count`, the function's own counters, and per-item outcomes. */
export interface TaskResult {
  count: number;
  items: ItemOutcome[];
  [counter: string]: unknown;
}

/** The progress object of `GET …/task_progress/{task_id}/`. */
export interface TaskProgress {
  state: TaskState;
  meta: ProgressMeta;
  result?: TaskResult;
  error?: string;
}

export const PENDING_META: ProgressMeta = {
  phase: 'INIT',
  percentage: 0,
  message: 'Waiting to start',
  request_steps: [],
  response_steps: [],
  cost: 0,
  tokens: 0,
};
