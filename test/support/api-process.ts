import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../tools/net/ports';
import type { TestStack } from './stack';

/** The API as its own process (api/server.ts), on a suite's database and task queue. */
export interface ApiProcess {
  baseUrl: string;
  pid: number;
  /** Every line it wrote so far, stdout and stderr. */
  output: string[];
  stop(): Promise<void>;
}

/** The environment api/server.ts reads, pointed at the suite's stack; `env` adds to it or unsets (undefined). */
function serverEnv(stack: TestStack, port: number, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    DATABASE_POOL_SIZE: '3',
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: undefined,
    STREAM_TOKEN_SECRET: undefined,
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

function spawnServer(stack: TestStack, port: number, env: Record<string, string | undefined>): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../api/server.ts')], {
    env: serverEnv(stack, port, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => output.push(line));
  return { child, output };
}

/** Starts the API process and waits until it listens. */
export async function startApiProcess(stack: TestStack, env: Record<string, string | undefined> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const { child, output } = spawnServer(stack, port, env);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start: ${output.join('\n')}`)), 30_000);
    const check = setInterval(() => {
      if (output.some((line) => line.includes('API listening on'))) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 25);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`the API exited (${code}): ${output.join('\n')}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the API process expecting it to stop by itself (a refused start); its exit code and output. */
export async function runApiProcessToExit(stack: TestStack, env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<{ code: number | null; output: string[] }> {
  const { child, output } = spawnServer(stack, await freePort(), env);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the API kept running: ${output.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  // The last lines may still be in the pipes when the process exits.
  await new Promise((r) => setTimeout(r, 50));
  return { code, output };
}

/** Resident memory of a process, in MiB (Linux). */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib / 1024;
}
