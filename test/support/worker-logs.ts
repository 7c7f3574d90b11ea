/**
 * Jest setup file: the Temporal runtime of this test process logs to the suite log (suite-log.ts)
 * instead of the console, whichever suite creates the first worker.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { appendSuiteLog } from './suite-log';

try {
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => appendSuiteLog(`${entry.level} ${entry.message} ${safeJson(entry.meta)}`)),
    // The SDK's native side prints its own warnings to the console unless they are forwarded.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
} catch {
  // already installed for this process
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
