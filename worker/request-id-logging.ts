import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { PrismaClient } from '../db/client';
import { AI_FUNCTIONS } from '../functions';

/** Runs whose request id is remembered; older ones are read again if a late activity of theirs runs. */
const REMEMBERED_RUNS = 10_000;

/**
 * Adds `requestId` (the X-Request-Id of the API request that started the run, kept on its run
 * record) to every log line an activity of that run writes, the SDK's own lines included, so one
 * id follows a task from the API's log through the worker's. Read once per run and remembered;
 * a child run (`<task>-<function>`) carries its parent's. Workflow code is untouched.
 */
export function requestIdLogging(prisma: PrismaClient): ActivityInterceptorsFactory {
  const remembered = new Map<string, string | null>();

  async function requestIdOf(workflowId: string): Promise<string | null> {
    const candidates = [workflowId, ...AI_FUNCTIONS.filter((fn) => workflowId.endsWith(`-${fn.name}`)).map((fn) => workflowId.slice(0, -fn.name.length - 1))];
    const runs = await prisma.aITaskLog.findMany({ where: { taskId: { in: candidates } }, select: { taskId: true, requestId: true } });
    const run = candidates.map((id) => runs.find((r) => r.taskId === id)).find(Boolean);
    return run?.requestId ?? null;
  }

  return (context) => {
    // A standalone activity (no workflow) has no run, so no request id.
    const workflowId = context.info.workflowExecution?.workflowId ?? '';
    let requestId = remembered.get(workflowId);
    return {
      inbound: {
        async execute(input, next) {
          if (requestId === undefined && workflowId) {
            // A database that does not answer leaves the lines without the id; the activity itself decides what fails.
            requestId = await requestIdOf(workflowId).catch(() => undefined);
            if (requestId !== undefined) {
              if (remembered.size >= REMEMBERED_RUNS) remembered.delete(remembered.keys().next().value!);
              remembered.set(workflowId, requestId);
            }
          }
          return next(input);
        },
      },
      outbound: {
        getLogAttributes: (attributes, next) => next(requestId ? { ...attributes, requestId } : attributes),
      },
    };
  };
}
