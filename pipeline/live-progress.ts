import { stateOfStatus, type RunStatus } from './run-status';
import { PHASE_RANGES, type Phase } from './phases';
import type { ProgressMeta, StepLog, TaskProgress, TaskResult, TaskState } from './progress';

/**
 * The live progress stream's events, one row each in `task_events`: `progress` carries
 * the polling answer of that moment, `text` a piece of an article as the provider streams it,
 * `done` the final polling answer.
 */
export type TaskEventName = 'progress' | 'text' | 'done';

/**
 * The PostgreSQL channel API processes LISTEN on. A notification carries the row id and the task id
 * (`"<id> <task id>"`), not the row (NOTIFY payloads stop at 8000 bytes; a progress answer can be
 * larger): a listener knows whose task changed without a read, and reads the rows it wants.
 */
export const TASK_EVENTS_CHANNEL = 'task_events';

export interface TextEventData {
  /** The item the text belongs to (the writer task id for generate_content). */
  item: string;
  text: string;
  /** The AI call's attempt: a retried call streams its article again from the start. */
  attempt: number;
}

/** A step entry that changed, with the log it belongs to. */
export type ChangedStep = StepLog & { log: 'request' | 'response' };

/**
 * What the workflow publishes at a progress change: the meta without its step logs, how long each
 * log is, and only the step entries that changed since the last update. Workflow history records
 * it, so it stays small however long the run; the publisher rebuilds the whole answer from the
 * previous one (`applyProgressUpdate`).
 */
export interface ProgressUpdate {
  state: TaskState;
  meta: Omit<ProgressMeta, 'request_steps' | 'response_steps'>;
  stepCounts: { request: number; response: number };
  steps: ChangedStep[];
  /** 1 for a run's first update, then one more for each (absent in updates of older runs). */
  seq?: number;
}

/** The `publishProgress` local activity's input: a progress change, or the end of the run. */
export type LiveProgressEvent = { taskId: string; event: 'progress'; update: ProgressUpdate } | { taskId: string; event: 'done' };

/**
 * The progress answer after `update`, given the answer before it. Step logs are cut to the
 * update's lengths first: a run reset to an earlier point has fewer steps than its last answer.
 */
export function applyProgressUpdate(previous: TaskProgress | undefined, update: ProgressUpdate): TaskProgress {
  const merge = (log: ChangedStep['log'], before: StepLog[] = []): StepLog[] => {
    const steps = before.slice(0, update.stepCounts[log]);
    for (const { log: owner, ...entry } of update.steps) {
      if (owner !== log) continue;
      const at = steps.findIndex((s) => s.stepNumber === entry.stepNumber);
      if (at >= 0) steps[at] = entry;
      else steps.push(entry);
    }
    return steps.sort((a, b) => a.stepNumber - b.stepNumber);
  };
  return {
    state: update.state,
    meta: {
      ...update.meta,
      request_steps: merge('request', previous?.meta.request_steps),
      response_steps: merge('response', previous?.meta.response_steps),
    },
  };
}

/** The run record's fields a finished task's progress answer is made of. */
export interface RecordedRun {
  status: RunStatus;
  phase: string;
  percentage: number | null;
  message: string;
  cost: number;
  tokens: number;
  credits: number;
  requestSteps: unknown;
  responseSteps: unknown;
  result: unknown;
  error: string | null;
}

/** The same fields as a Prisma `select` on the run record. */
export const RECORDED_RUN_FIELDS = {
  status: true,
  phase: true,
  percentage: true,
  message: true,
  cost: true,
  tokens: true,
  credits: true,
  requestSteps: true,
  responseSteps: true,
  result: true,
  error: true,
} as const satisfies Record<keyof RecordedRun, true>;

/**
 * The progress answer read from a run record: what polling answers for a finished task, and what
 * the `done` event carries, so the two are the same object.
 */
export function progressFromRecord(record: RecordedRun, state: TaskState = stateOfStatus(record.status)): TaskProgress {
  const meta: ProgressMeta = {
    phase: record.phase as Phase,
    // Where the run got to; records from before the percentage was kept fall back to the phase's start.
    percentage: state === 'SUCCESS' ? 100 : (record.percentage ?? PHASE_RANGES[record.phase as Phase]?.start ?? 0),
    message: record.message,
    request_steps: (record.requestSteps as ProgressMeta['request_steps']) ?? [],
    response_steps: (record.responseSteps as ProgressMeta['response_steps']) ?? [],
    cost: record.cost,
    tokens: record.tokens,
    ...(record.credits ? { credits: record.credits } : {}),
  };
  const progress: TaskProgress = { state, meta };
  if (state === 'SUCCESS' && record.result) progress.result = record.result as TaskResult;
  if (state === 'FAILURE') progress.error = record.error ?? record.message;
  // A run ended outside the service (terminated) says how; a cancel through the API has no error.
  if (state === 'REVOKED' && record.error) progress.error = record.error;
  return progress;
}

