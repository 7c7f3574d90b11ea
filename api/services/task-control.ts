import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Prisma, type PrismaClient } from '../../db/client';
import { announceTaskChange } from '../../activities/live-progress';
import { findFunction } from '../../functions';
import { CANCELLABLE_STATUSES, RESETTABLE_STATUSES, RETRYABLE_STATUSES } from '../../pipeline/run-status';
import { ConflictError, NotFoundError } from '../errors';
import { newTaskId, startTask } from './start-task';

type Deps = { prisma: PrismaClient; temporal: Client; taskQueue: string };

/** Temporal's event type numbers used to find reset points (temporal.api.enums.v1.EventType). */
const WORKFLOW_TASK_COMPLETED = 6;
const ACTIVITY_TASK_SCHEDULED = 10;

/** gRPC's NOT_FOUND, which the raw workflow service answers for a run it does not have. */
const GRPC_NOT_FOUND = 5;

/**
 * Temporal no longer has the run: its workflow was deleted, or it closed longer ago than the
 * namespace keeps runs (or, for a cancel, it has already closed).
 */
function isRunGone(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: unknown } | undefined)?.code === GRPC_NOT_FOUND;
}

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
  try {
    await deps.temporal.workflow.getHandle(taskId).cancel();
  } catch (err) {
    if (!isRunGone(err)) throw err;
    throw new ConflictError(
      `Task ${taskId} has no run left to cancel: its workflow has ended or is no longer kept by Temporal (deleted, or past the namespace's retention).`,
    );
  }
}

/** What a retry answers: the retry's task id, and whether this request started it (or an earlier one had). */
export interface RetryAnswer {
  taskId: string;
  started: boolean;
}

/**
 * Starts a new run with the same input; the two run records point at each other. A task is
 * retried once: the retry's id is claimed on the failed run's record by a conditional update
 * before the run starts, so of requests at the same moment one starts it and the others (and any
 * later one) answer its id. If Temporal refuses the start, the claim is released.
 */
export async function retryTask(deps: Deps, accountId: number, taskId: string): Promise<RetryAnswer> {
  const run = await ownedRun(deps.prisma, accountId, taskId);
  if (run.retriedAs) return { taskId: run.retriedAs, started: false };
  if (!RETRYABLE_STATUSES.includes(run.status)) {
    throw new ConflictError(
      run.status === 'pending'
        ? `Task ${taskId} is still running; cancel it or wait for it to end before retrying.`
        : `Task ${taskId} succeeded; start a new task instead of retrying it.`,
    );
  }
  const definition = findFunction(run.functionName);
  if (!definition) throw new ConflictError(`Task ${taskId} ran an unknown function '${run.functionName}'.`);
  const retryId = newTaskId(definition, accountId);
  const claim = await deps.prisma.aITaskLog.updateMany({
    where: { taskId, accountId, retriedAs: null, status: { in: [...RETRYABLE_STATUSES] } },
    data: { retriedAs: retryId },
  });
  if (claim.count === 0) {
    const now = await ownedRun(deps.prisma, accountId, taskId);
    if (now.retriedAs) return { taskId: now.retriedAs, started: false };
    throw new ConflictError(`Task ${taskId} is ${now.status} now; only a failed or cancelled task can be retried.`);
  }
  const payload = run.payload as { ids: number[]; sector_id?: number | null; prompt_override?: string | null };
  try {
    await startTask(
      deps,
      definition,
      {
        accountId,
        ids: payload.ids,
        sectorId: payload.sector_id ?? undefined,
        promptOverride: payload.prompt_override ?? undefined,
      },
      { retryOf: taskId, taskId: retryId },
    );
  } catch (err) {
    // Only this request's claim is released: the task may be retried again.
    await deps.prisma.aITaskLog.updateMany({ where: { taskId, retriedAs: retryId }, data: { retriedAs: null } }).catch(() => undefined);
    throw err;
  }
  return { taskId: retryId, started: true };
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
  return resetToBeforeCall(deps, run, definition, 'reset');
}

/** The phases a run that failed with its answers stored ended in: what a re-parse can do again. */
export const REPARSABLE_PHASES: readonly string[] = ['PARSE', 'SAVE'];

/**
 * Re-parses a run that failed at PARSE or SAVE: the same Temporal reset as `resetTask`, but the
 * answers stay stored, so the run's AI calls are answered from `ai_requests` (no provider request,
 * nothing paid twice) and its parse and save run again with today's code and settings. What an
 * earlier parse found is dropped (what PREP kept beside a request, an image's negative prompt,
 * stays); rows already saved stay saved. The record keeps when it was re-parsed (`reparsed_at`).
 */
export async function reparseTask(deps: Deps, accountId: number, taskId: string): Promise<string> {
  const run = await ownedRun(deps.prisma, accountId, taskId);
  if (!RESETTABLE_STATUSES.includes(run.status)) {
    throw new ConflictError(`Task ${taskId} is ${run.status}; only a task that failed at PARSE or SAVE can be re-parsed.`);
  }
  if (!REPARSABLE_PHASES.includes(run.phase)) {
    throw new ConflictError(
      `Task ${taskId} failed at ${run.phase}, before any answer was parsed; only a task that failed at PARSE or SAVE can be re-parsed. Reset or retry it instead.`,
    );
  }
  const definition = findFunction(run.functionName);
  if (!definition) throw new ConflictError(`Task ${taskId} ran an unknown function '${run.functionName}'.`);
  if (definition.kind !== 'pipeline') {
    throw new ConflictError(`Task ${taskId} runs ${definition.name}, which is made of other runs; re-parse those runs, or reset this one.`);
  }
  // Every item must have its answer: a re-parse never asks the provider the first question again.
  const unanswered = await deps.prisma.aIRequest.findMany({
    where: { taskId, responseText: null, saved: { equals: Prisma.DbNull }, NOT: { itemKey: { contains: REASK_MARK } } },
    select: { itemKey: true },
    orderBy: { itemKey: 'asc' },
    take: 10,
  });
  if (unanswered.length) {
    throw new ConflictError(
      `Task ${taskId} has no stored answer for item(s) ${unanswered.map((r) => r.itemKey).join(', ')}: their AI call failed, so there is nothing to re-parse. Reset or retry it instead.`,
    );
  }
  return resetToBeforeCall(deps, run, definition, 'reparse');
}

/** How a re-ask's item key continues its item's (activities/reasks.ts). */
const REASK_MARK = '~reask';

type RunRecord = Awaited<ReturnType<typeof ownedRun>>;

/**
 * Temporal's reset of the run to the workflow task before its first AI call; the record is
 * reopened first (the reset run may finish before this returns) and closed again if Temporal
 * refuses. `reset` drops the answers not saved, so the calls are made again; `reparse` keeps them
 * and drops only what their parse found.
 */
async function resetToBeforeCall(deps: Deps, run: RunRecord, definition: NonNullable<ReturnType<typeof findFunction>>, how: 'reset' | 'reparse'): Promise<string> {
  const { taskId } = run;
  const handle = deps.temporal.workflow.getHandle(taskId);
  const gone = () =>
    new ConflictError(
      `Task ${taskId} cannot be ${how === 'reset' ? 'reset' : 're-parsed'}: its run is no longer kept by Temporal (deleted, or past the namespace's retention), so there is no history to reset to; retry it instead.`,
    );
  let history: Awaited<ReturnType<typeof handle.fetchHistory>>;
  try {
    history = await handle.fetchHistory();
  } catch (err) {
    throw isRunGone(err) ? gone() : err;
  }
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
  if (how === 'reparse' && !firstCall) throw new ConflictError(`Task ${taskId} made no AI call; there is nothing to re-parse. Reset or retry it instead.`);

  // The run's own requests and its child runs' (`<task id>-<function>`), those not saved.
  const unsaved = { OR: [{ taskId }, { taskId: { startsWith: `${taskId}-` } }], saved: { equals: Prisma.DbNull } };
  const answers: Array<Prisma.PrismaPromise<unknown>> =
    how === 'reset'
      ? [deps.prisma.aIRequest.updateMany({ where: unsaved, data: { responseText: null, parsed: Prisma.DbNull } })]
      : [
          // What a parse found is dropped; what PREP kept with the request (an image's negative prompt) stays.
          deps.prisma.$executeRaw`
            UPDATE ai_requests SET parsed = CASE WHEN jsonb_typeof(parsed) = 'object' AND parsed->'negative_prompt' IS NOT NULL
              THEN jsonb_build_object('negative_prompt', parsed->'negative_prompt') ELSE NULL END
            WHERE task_id = ${taskId} AND saved IS NULL AND parsed IS NOT NULL`,
        ];
  await deps.prisma.$transaction([
    ...answers,
    deps.prisma.aITaskLog.update({
      where: { taskId },
      // startedAt marks the reopening: a closed run older than it is the run being reset, which must
      // not end the record again (endClosedRun), while the reset is under way.
      data: { status: 'pending', error: null, finishedAt: null, startedAt: new Date(), result: Prisma.DbNull, ...(how === 'reparse' ? { reparsedAt: new Date() } : {}) },
    }),
    announceTaskChange(deps.prisma, taskId),
  ]);
  try {
    const description = await handle.describe();
    const answer = await deps.temporal.workflowService.resetWorkflowExecution({
      namespace: deps.temporal.options.namespace,
      workflowExecution: { workflowId: taskId, runId: description.runId },
      workflowTaskFinishEventId: resetPoint.eventId,
      requestId: randomUUID(),
      reason:
        how === 'reparse'
          ? 'reparse from the API: parse and save again on the stored answers'
          : `reset from the API to before ${firstCall ? 'the AI call' : 'INIT'}`,
    });
    return answer.runId ?? '';
  } catch (err) {
    await deps.prisma.$transaction([
      deps.prisma.aITaskLog.update({
        where: { taskId },
        data: { status: run.status, error: run.error, finishedAt: run.finishedAt, result: run.result ?? Prisma.DbNull, reparsedAt: run.reparsedAt },
      }),
      announceTaskChange(deps.prisma, taskId),
    ]);
    throw isRunGone(err) ? gone() : err;
  }
}
