/**
 * A worker in its own process, for tests that kill one (test/faults). Started by worker-process.ts
 * with everything in its environment; prints one `ready` line once it polls, and shuts down cleanly
 * on SIGTERM or when the test process goes away. A SIGKILL gives it no chance to say anything,
 * which is the point.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createPrismaClient } from '../../db/client';
import { createAIWorker } from '../../worker/create-worker';
import { commaList } from '../../config/env';
import { providerHostPolicy } from '../../activities/provider-hosts';
import { READY_LINE } from './worker-process';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (test/support/worker-process.ts sets it)`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const prisma = createPrismaClient(required('DATABASE_URL'), { max: 5 });
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await createAIWorker({
    connection,
    namespace: 'default',
    taskQueue: required('TEMPORAL_TASK_QUEUE'),
    identity: required('WORKER_IDENTITY'),
    prisma,
    workflowBundle: { codePath: required('WORKFLOW_BUNDLE_PATH') },
    providerIdleTimeoutMs: Number(process.env.AI_PROVIDER_IDLE_TIMEOUT_MS ?? 10_000),
    providerHosts: providerHostPolicy(commaList(process.env.AI_PROVIDER_ALLOWED_HOSTS ?? '')),
    // Dies right after a save commits, before Temporal hears of it.
    ...(process.env.WORKER_FAULT_HOOK === 'kill-after-save-commit' ? { afterSaveCommit: () => process.kill(process.pid, 'SIGKILL') } : {}),
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => worker.shutdown());
  // stdin is a pipe from the test process: when that process dies, however it died, so does this
  // worker. Unreferenced, the pipe never keeps this process alive once the worker has stopped.
  process.stdin.once('close', () => worker.shutdown()).resume();
  process.stdin.unref();
  const running = worker.run();
  console.log(READY_LINE);
  try {
    await running;
  } finally {
    await connection.close();
    await prisma.$disconnect();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
