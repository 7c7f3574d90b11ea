import { ApplicationFailure, type Duration } from '@temporalio/common';
import { FAILURE_TYPES } from '../pipeline/failure-types';

/** Settings missing or invalid: fails the run at once (retrying cannot fix configuration). */
export function configurationError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.configuration, nonRetryable: true });
}

export function invalidInputError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.invalidInput, nonRetryable: true });
}

export function modelOutputError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.modelOutput, nonRetryable: true });
}

export function insufficientCreditsError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.insufficientCredits, nonRetryable: true });
}

export function providerRejectedError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.providerRejected, nonRetryable: true });
}

/** A transient provider fault; `nextRetryDelay` carries a 429's Retry-After to Temporal's retry. */
export function providerUnavailableError(message: string, nextRetryDelay?: Duration): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'ProviderUnavailable', nonRetryable: false, nextRetryDelay });
}

/** The provider's answer went past its cap: final, as the same request would stream as much again. */
export function providerAnswerTooLargeError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_TYPES.modelOutput, nonRetryable: true });
}
