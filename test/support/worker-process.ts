/**
 * Runs the AI worker in a child process (worker-main.ts), so a test can kill it the way an
 * operating system or an orchestrator does — SIGKILL, no goodbye — and start another.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopWithThisProcess } from '../../tools/temporal-cli/stop-with-process';
import { appendSuiteLog } from './suite-log';

export const READY_LINE = 'worker ready';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;
const OUTPUT_LINES = 60;
const projectRoot = path.resolve(__dirname, '../..');

/** Fault hooks the test worker hands its activities (worker-main.ts); none unless set here. */
export type FaultHook = 'kill-after-save-commit';

export interface WorkerProcessOptions {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  /** The prebuilt workflow bundle (TEST_WORKFLOW_BUNDLE). */
  workflowBundle: string;
  /** Shown in the history's started events, so a test can tell which worker ran a step. */
  identity: string;
  providerIdleTimeoutMs?: number;
  /** AI_PROVIDER_ALLOWED_HOSTS entries (the stack's demo provider); none: only the public APIs. */
  allowedProviderHosts?: string[];
  faultHook?: FaultHook;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  pid: number;
  identity: string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<WorkerExit>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): Promise<WorkerExit>;
  /** A clean shutdown (SIGTERM); SIGKILL if it is not over within the grace time. */
  stop(): Promise<WorkerExit>;
  /** The last lines it printed, for failure messages. */
  output(): string;
}

/** Starts a worker process and resolves once it polls its task queue. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-main.ts')], {
    cwd: projectRoot,
    // stdin stays open for the worker's lifetime: its closing tells the worker this process is gone.
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      WORKFLOW_BUNDLE_PATH: options.workflowBundle,
      WORKER_IDENTITY: options.identity,
      AI_PROVIDER_IDLE_TIMEOUT_MS: String(options.providerIdleTimeoutMs ?? 10_000),
      AI_PROVIDER_ALLOWED_HOSTS: (options.allowedProviderHosts ?? []).join(','),
      WORKER_FAULT_HOOK: options.faultHook ?? '',
    },
  });
  // If the test process ends first, the worker must not outlive it.
  const untie = stopWithThisProcess(child);
  const lines: string[] = [];
  let announceReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (announceReady = resolve));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line === READY_LINE) announceReady();
      appendSuiteLog(`[${options.identity}] ${line}`);
      lines.push(line);
      if (lines.length > OUTPUT_LINES) lines.shift();
    });
  }
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      untie();
      resolve({ code, signal });
    });
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const output = () => lines.join('\n');

  const worker: WorkerProcess = {
    pid: child.pid!,
    identity: options.identity,
    exited,
    hasExited,
    output,
    async kill(signal) {
      if (!hasExited()) child.kill(signal);
      return exited;
    },
    async stop() {
      if (hasExited()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await worker.kill('SIGKILL');
    throw new Error(`worker process ${options.identity} ${outcome === 'exited' ? 'exited' : 'was not ready'} before polling:\n${output()}`);
  }
  return worker;
}
