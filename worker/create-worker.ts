import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { createActivities } from './activities';

export interface AIWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (`npm run build`, or the tests' own); without it the worker bundles `workflows/` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  tuning?: WorkerTuning;
}

/** How much one worker takes on at once; unset fields keep the defaults below or the SDK's. */
export interface WorkerTuning {
  maxConcurrentActivities?: number;
  maxConcurrentWorkflowTasks?: number;
  maxCachedWorkflows?: number;
}

const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 200;

/** The worker that runs every AI function's workflow and activities on one task queue. */
export async function createAIWorker(options: AIWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, workflowBundle, identity, tuning = {}, ...deps } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(identity ? { identity } : {}),
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    // Activities wait on the provider, not the CPU: many may be in flight on a small machine.
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    ...(tuning.maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks } : {}),
    ...(tuning.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
  });
}
