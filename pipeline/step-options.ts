import { NON_RETRYABLE_FAILURE_TYPES } from './failure-types';

/**
 * How the pipeline's steps run, written once for every generation of the pipeline.
 *
 * Database steps: short, safe to redo, retried while the database is away (an outage delays a run
 * rather than failing it), but not for ever: after 15 minutes the run fails with the last error.
 */
export const DATABASE_STEP_OPTIONS = {
  // One transaction running longer than this is stuck; it is also how soon a killed worker's
  // database step is noticed (these steps do not heartbeat).
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '15 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
  },
} as const;

/**
 * The provider call: long, heartbeating (a dead worker is noticed within the heartbeat timeout, not
 * at the end of the call), retried with backoff on transient provider faults. The SDK itself makes
 * one attempt per activity attempt, so attempts here are provider calls.
 */
export const PROVIDER_STEP_OPTIONS = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
  },
} as const;

/**
 * A failed local step is retried inside the workflow task only after a short backoff; a longer one
 * (the database away) waits on a durable timer, so the workflow task ends meanwhile and the
 * progress query is answered at once instead of waiting for the retries.
 */
export const LOCAL_RETRY_THRESHOLD = '500 milliseconds';
