import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Prisma, type PrismaClient } from '../../db/client';
import { findFunction } from '../../functions';
import { CANCELLABLE_STATUSES, RESETTABLE_STATUSES, RETRYABLE_STATUSES } from '../../pipeline/run-status';
import { ConflictError, NotFoundError } from '../errors';
import { startTask } from './start-task';

type Deps = { prisma: PrismaClient; temporal: Client; taskQueue: string };

/** Temporal's event type numbers used to find reset points (temporal.api.enums.v1.EventType). */
const WORKFLOW_TASK_COMPLETED = 6;
const ACTIVITY_TASK_SCHEDULED = 10;

async function ownedRun(prisma: PrismaClient, accountId: number, taskId: string) {
  const run = await prisma.aITaskLog.findFirst({ where: { taskId, accountId } });
  if (!run) throw new NotFoundError(`Task ${taskId} not found.`);
  return run;
}

/**
 * Cancels a running task: the workflow's cancellation reaches a running AI call through its
 * heartbeat, rows already saved stay, and the run ends REVOKED.
 */
export async function cancelTask(deps: Deps, accountId: number, taskId: string): Promise<void> {
  const run = await ownedRun(deps.prisma, accountId, taskId);
  if (!CANCELLABLE_STATUSES.includes(run.status)) throw new ConflictError(`Task ${taskId} has already ended (${run.status}); only a running task can be cancelled.`);
  await deps.temporal.workflow.getHandle(taskId).cancel();
}

/** Starts a new run with the same input; the two run records point at each other. */
export async function retryTask(deps: Deps, accountId: number, taskId: string): Promise<string> {
  const run = await ownedRun(deps.prisma, accountId, taskId);
  if (!RETRYABLE_STATUSES.includes(run.status)) {
    throw new ConflictError(
      run.status === 'pending'
        ? `Task ${taskId} is still running; cancel it or wait for it to end before retrying.`
        : `Task ${taskId} succeeded; start a new task instead of retrying it.`,
    );
  }
  if (run.retriedAs) throw new ConflictError(`Task ${taskId} was already retried as ${run.retriedAs}.`);
  const definition = findFunction(run.functionName);
  if (!definition) throw new ConflictError(`Task ${taskId} ran an unknown function '${run.functionName}'.`);
  const payload = run.payload as { ids: number[]; sector_id?: number | null; prompt_override?: string | null };
  const newTaskId = await startTask(
    deps,
    definition,
    {
      accountId,
      ids: payload.ids,
      sectorId: payload.sector_id ?? undefined,
      promptOverride: payload.prompt_override ?? undefined,
    },
    { retryOf: taskId },
  );
  await deps.prisma.aITaskLog.update({ where: { taskId }, data: { retriedAs: newTaskId } });
  return newTaskId;
}

/**
 * Resets a failed run with Temporal's reset to the workflow task before its first AI call (or the
 * first workflow task when it failed before one): the run continues from there under the same
 * task id, and its activities read the settings afresh, so fixed settings take effect. Answers
 * stored by the failed attempt are dropped so the AI call is made again.
 */
export async function resetTask(deps: Deps, accountId: number, taskId: string): Promise<string> {
  const run = await ownedRun(deps.prisma, accountId, taskId);
  if (!RESETTABLE_STATUSES.includes(run.status)) throw new ConflictError(`Task ${taskId} is ${run.status}; only a failed task can be reset.`);
  const definition = findFunction(run.functionName);
  if (!definition) throw new ConflictError(`Task ${taskId} ran an unknown function '${run.functionName}'.`);

  const handle = deps.temporal.workflow.getHandle(taskId);
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  // A run composed of child runs starts its children again from the start.
  const callType = definition.kind === 'pipeline' ? definition.activities.call : undefined;
  const firstCall = events.find(
    (e) => Number(e.eventType) === ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === callType,
  );
  const completions = events.filter((e) => Number(e.eventType) === WORKFLOW_TASK_COMPLETED);
  const before = firstCall ? completions.filter((e) => Number(e.eventId) < Number(firstCall.eventId)) : completions.slice(0, 1);
  const resetPoint = before[before.length - 1];
  if (!resetPoint) throw new ConflictError(`Task ${taskId} has no workflow task to reset to.`);

  // The record is reopened before the reset: the reset run may finish (and complete the record)
  // before this request returns. If Temporal refuses the reset, the record is closed again.
  await deps.prisma.$transaction([
    // The run's own requests and its child runs' (`<task id>-<function>`).
    deps.prisma.aIRequest.updateMany({
      where: { OR: [{ taskId }, { taskId: { startsWith: `${taskId}-` } }], saved: { equals: Prisma.DbNull } },
      data: { responseText: null, parsed: Prisma.DbNull },
    }),
    deps.prisma.aITaskLog.update({ where: { taskId }, data: { status: 'pending', error: null, finishedAt: null, result: Prisma.DbNull } }),
  ]);
  try {
    const description = await handle.describe();
    const answer = await deps.temporal.workflowService.resetWorkflowExecution({
      namespace: deps.temporal.options.namespace,
      workflowExecution: { workflowId: taskId, runId: description.runId },
      workflowTaskFinishEventId: resetPoint.eventId,
      requestId: randomUUID(),
      reason: `reset from the API to before ${firstCall ? 'the AI call' : 'INIT'}`,
    });
    return answer.runId ?? '';
  } catch (err) {
    await deps.prisma.aITaskLog.update({ where: { taskId }, data: { status: run.status, error: run.error, finishedAt: run.finishedAt, result: run.result ?? Prisma.DbNull } });
    throw err;
  }
}
