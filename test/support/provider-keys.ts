/**
 * The provider API keys the tests configure. They must never show up in a workflow history, a
 * result, a progress answer or a log line; test/secrets.test.ts and the global teardown look.
 */
export const OPENAI_TEST_KEY = 'sk-test-provider-key-0123456789abcdef';
export const RUNWARE_TEST_KEY = 'rw-test-key-fedcba9876543210';
export const PROVIDER_TEST_KEYS = [OPENAI_TEST_KEY, RUNWARE_TEST_KEY];
