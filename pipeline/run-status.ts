import type { TaskState } from './progress';

/**
 * A run record's status: the `RunStatus` enum of prisma/schema.prisma (db/client.ts checks the
 * two agree), with what each means for the progress answer and for operator actions. `pending`
 * lasts from acceptance until the run ends.
 */
export const RUN_STATUSES = ['pending', 'success', 'error', 'revoked'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type FinalRunStatus = Exclude<RunStatus, 'pending'>;

/** The progress answer's state for a run record's status (an accepted run not started yet reads PENDING: task-progress.ts). */
export function stateOfStatus(status: RunStatus): TaskState {
  switch (status) {
    case 'pending':
      return 'PROGRESS';
    case 'success':
      return 'SUCCESS';
    case 'error':
      return 'FAILURE';
    case 'revoked':
      return 'REVOKED';
    default:
      return assertUnreachable(status);
  }
}

export function isFinal(status: RunStatus): status is FinalRunStatus {
  return status !== 'pending';
}

/** Run records an operator action applies to. */
export const CANCELLABLE_STATUSES: readonly RunStatus[] = ['pending'];
export const RETRYABLE_STATUSES: readonly RunStatus[] = ['error', 'revoked'];
export const RESETTABLE_STATUSES: readonly RunStatus[] = ['error'];

/** Ends an exhaustive switch: a value the types say cannot occur. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
