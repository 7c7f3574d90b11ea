import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every log line the suite's workers and APIs write also goes here, so it can be searched for secrets. */
export function suiteLogPath(): string | undefined {
  const dir = process.env.TEST_WORK_DIR;
  return dir ? path.join(dir, 'suite.log') : undefined;
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
