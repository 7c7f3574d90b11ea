/**
 * The Temporal runtime of a test process logs to the suite log (suite-log.ts) instead of the console.
 * Installed by the suites that run workflows in this process (the test stack, the replay test) just
 * before their first worker: a runtime forwarding logs holds the process open until its workers are
 * gone, so a suite without workers must not create one.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { appendSuiteLog } from './suite-log';

export function installTestRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('DEBUG', (entry) => appendSuiteLog(`${entry.level} ${entry.message} ${safeJson(entry.meta)}`)),
      // The SDK's native side prints its own warnings to the console unless they are forwarded.
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
    });
  } catch {
    // already installed for this process
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
