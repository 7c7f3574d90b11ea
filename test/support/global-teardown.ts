import { rm } from 'node:fs/promises';
import { PROVIDER_TEST_KEYS } from './provider-keys';
import path from 'node:path';
import { leakedKeys, readSuiteLog, suiteLogPath } from './suite-log';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __testServices?: { temporal: { stop(): Promise<void> }; postgres: { stop?: () => Promise<void> }; workDir: string } })
    .__testServices;
  if (!services) return;
  // Every log line of the suite (workers, APIs) was collected; a provider key in any fails the run.
  const leaked = leakedKeys(readSuiteLog(), PROVIDER_TEST_KEYS);
  await services.temporal.stop();
  await services.postgres.stop?.();
  await rm(services.workDir, { recursive: true, force: true });
  const log = suiteLogPath();
  if (log) process.stderr.write(`[test teardown] Worker and API log lines of this run: ${path.relative(process.cwd(), log)}\n`);
  if (leaked.length) throw new Error(`Provider API keys appeared in the suite's log lines: ${leaked.map((k) => `${k.slice(0, 6)}…`).join(', ')}`);
}
