/**
 * Failure types the workflows and activities agree on. Activities throw these as non-retryable
 * `ApplicationFailure`s (Temporal would otherwise retry them forever); the retry policies list them
 * in `nonRetryableErrorTypes` too, so a plain Error of the same name is never retried either.
 */
export const FAILURE_TYPES = {
  /** Settings missing or invalid: model, API key, size. Fixing the settings and resetting the run helps. */
  configuration: 'ConfigurationError',
  /** Input rows vanished or belong to someone else since the API accepted the request. */
  invalidInput: 'InvalidInputError',
  /** The model's answer is not what the function expects. */
  modelOutput: 'ModelOutputError',
  /** The provider refused the request for good (4xx other than 429). */
  providerRejected: 'ProviderRejectedError',
  /** The account has no credits for the run or the call: adding credits and retrying helps. */
  insufficientCredits: 'InsufficientCreditsError',
} as const;

export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

export const NON_RETRYABLE_FAILURE_TYPES: string[] = Object.values(FAILURE_TYPES);
