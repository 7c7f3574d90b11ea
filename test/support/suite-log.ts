import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Every log line of the suite's workers and APIs goes to one file under .data/test-logs/ (its path
 * is printed at the start and the end of a run), not to the console: the fault tests make workers
 * log expected failures by the thousand. The global teardown searches the file for provider keys.
 */
export function suiteLogPath(): string | undefined {
  return process.env.TEST_SUITE_LOG || undefined;
}

export function appendSuiteLog(line: string): void {
  const file = suiteLogPath();
  if (file) appendFileSync(file, line.endsWith('\n') ? line : `${line}\n`);
}

export function readSuiteLog(): string {
  const file = suiteLogPath();
  return file && existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The provider keys found in `text`, if any. */
export function leakedKeys(text: string, keys: string[]): string[] {
  return keys.filter((key) => text.includes(key));
}
