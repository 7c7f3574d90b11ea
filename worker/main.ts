// First: tracing's instrumentation patches the PostgreSQL driver as it loads.
import { tracing } from './tracing';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { commaList, readEnv } from '../config/env';
import { providerHostPolicy } from '../activities/provider-hosts';
import { createPrismaClient, keepQueryCompilerBaseline, openConnections } from '../db/client';
import { createAIWorker } from './create-worker';
import { DEFAULT_SLOT_POLICY } from '../activities/ai-call-slots';
import { startReconciler } from './reconciler';

/**
 * The worker process: runs the AI functions' workflows and activities against the Temporal server
 * at TEMPORAL_ADDRESS and the database at DATABASE_URL. Stops cleanly on SIGINT/SIGTERM (the SDK
 * drains running activities within the shutdown grace time).
 */
async function main(): Promise<void> {
  const env = readEnv();
  Runtime.install({ logger: new DefaultLogger(temporalLogLevel(env.LOG_LEVEL)) });
  keepQueryCompilerBaseline();
  // A fixed pool, opened at start: a run's steps do not wait for connections after a quiet spell.
  const prisma = createPrismaClient(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, min: env.DATABASE_POOL_SIZE });
  await openConnections(prisma, env.DATABASE_POOL_SIZE);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const bundle = env.WORKFLOW_BUNDLE_PATH ?? prebuiltWorkflowBundle();
  const slots = { ...DEFAULT_SLOT_POLICY, accountLimit: env.ACCOUNT_MAX_CONCURRENT_AI_CALLS, overallLimit: env.AI_CALLS_MAX_IN_FLIGHT };
  const worker = await createAIWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    prisma,
    providerIdleTimeoutMs: env.AI_PROVIDER_IDLE_TIMEOUT_MS,
    parseReasks: env.AI_PARSE_REASKS,
    slots,
    // A bad entry stops the worker here, naming it, rather than allowing or refusing something else.
    providerHosts: providerHostPolicy(commaList(env.AI_PROVIDER_ALLOWED_HOSTS)),
    ...(bundle ? { workflowBundle: { codePath: bundle } } : {}),
    tuning: {
      maxConcurrentActivities: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    },
  });
  console.log(`Worker polling task queue '${env.TEMPORAL_TASK_QUEUE}' on ${env.TEMPORAL_ADDRESS}${bundle ? ' (prebuilt workflow bundle)' : ''}`);
  // Runs terminated or timed out outside the service get their records ended without anyone polling.
  const reconciler = startReconciler(
    { prisma, temporal: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), slots },
    { log: (line) => console.log(line) },
  );
  try {
    await worker.run();
  } finally {
    await reconciler.stop();
    await connection.close();
    await prisma.$disconnect();
    await tracing?.shutdown();
  }
}

/**
 * The compiled worker (`npm run build`) runs the workflow bundle written at build time beside it,
 * so it neither bundles with webpack at start nor keeps webpack's memory. Run from source, the
 * worker bundles workflows/ itself, so edits take effect on restart.
 */
function prebuiltWorkflowBundle(): string | undefined {
  if (!__filename.endsWith('.js')) return undefined;
  const file = path.join(__dirname, '..', 'workflow-bundle.js');
  return existsSync(file) ? file : undefined;
}

function temporalLogLevel(level: string): LogLevel {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  return levels[level] ?? 'INFO';
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
