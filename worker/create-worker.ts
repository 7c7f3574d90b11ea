import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { bindProviderHosts } from '../activities/provider-host-scope';
import { createActivities } from './activities';
import { requestIdLogging } from './request-id-logging';
import { activeTracing, UNTRACED_WORKFLOW_SINKS, workflowInterceptorModules } from '../tracing';

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
  const activities = createActivities(deps);
  const tracing = activeTracing();
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(identity ? { identity } : {}),
    // Each worker's activities see its own provider host policy, wherever they load settings or call.
    activities: deps.providerHosts ? bindProviderHosts(activities, deps.providerHosts) : activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    // A bundle built ahead has the tracing workflow interceptors in it already (tools/build, the tests' setup).
    interceptors: {
      ...(workflowBundle ? {} : { workflowModules: workflowInterceptorModules() }),
      // Every activity log line of a run names the request that started it.
      activity: [requestIdLogging(deps.prisma), ...(tracing ? tracing.activityInterceptors() : [])],
    },
    sinks: tracing ? tracing.workflowSinks() : UNTRACED_WORKFLOW_SINKS,
    // Activities wait on the provider, not the CPU: many may be in flight on a small machine.
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    ...(tuning.maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks } : {}),
    ...(tuning.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
  });
}
