import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestStack } from './stack';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run tasks` as its own process on the stack's database and Temporal, configured the way an
 * operator configures it: the environment. No terminal: what a script or a cron job sees.
 */
export async function runTasksCli(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../tools/tasks/main.ts'), ...args], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      TEMPORAL_UI_URL: 'http://temporal-ui.test:8233/',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}
