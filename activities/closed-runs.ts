import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Prisma, PrismaClient } from '../db/client';
import type { TaskProgress } from '../pipeline/progress';
import { progressFromRecord, RECORDED_RUN_FIELDS } from '../pipeline/live-progress';
import type { FinalRunStatus } from '../pipeline/run-status';
import { releaseCalls, type SlotPolicy, DEFAULT_SLOT_POLICY } from './ai-call-slots';
import { releaseReservations } from './credits';
import { publishSnapshot } from './live-progress';

/** Temporal's event type number of a termination (temporal.api.enums.v1.EventType). */
const WORKFLOW_EXECUTION_TERMINATED = 27;

/**
 * A run that ended outside the service's own code (terminated or reset from the Web UI or the CLI,
 * timed out, failed by a bug) never completes its record itself. This ends it everywhere: the
 * record gets the end and keeps the last phase, percentage, steps, cost and tokens the run had
 * published; what it held (slots, reservations) is given back; the live stream gets its `done`.
 * Answers the ended task's progress, or undefined when the run is still open (nothing to do).
 */
export async function endClosedRun(
  deps: { prisma: PrismaClient; temporal: Client; slots?: SlotPolicy },
  taskId: string,
): Promise<TaskProgress | undefined> {
  const { prisma, temporal } = deps;
  const handle = temporal.workflow.getHandle(taskId);
  const description = await handle.describe();
  const status = description.status.name;
  if (status === 'RUNNING') return undefined;
  const end = await closingOf(temporal, taskId, description.runId, status);
  if (!end) return undefined;

  const last = await prisma.taskEvent.findFirst({ where: { taskId, event: 'progress' }, orderBy: { id: 'desc' }, select: { data: true } });
  const reached = (last?.data as TaskProgress | undefined)?.meta;
  await endRecord(deps, taskId, `closed:${description.runId}`, {
    // A record reopened (reset) after this run closed belongs to the run the reset starts.
    where: description.closeTime ? { OR: [{ startedAt: null }, { startedAt: { lt: description.closeTime } }] } : {},
    data: {
      status: end.status,
      message: end.message,
      error: end.status === 'error' || end.status === 'revoked' ? end.message : null,
      finishedAt: description.closeTime ?? new Date(),
      ...(reached
        ? {
            phase: reached.phase,
            percentage: reached.percentage,
            cost: reached.cost,
            tokens: reached.tokens,
            requestSteps: reached.request_steps as object[],
            responseSteps: reached.response_steps as object[],
          }
        : {}),
    },
  });
  const record = await prisma.aITaskLog.findUniqueOrThrow({ where: { taskId }, select: RECORDED_RUN_FIELDS });
  return progressFromRecord(record);
}

/** How a closed run ended, in the run record's words: terminated → revoked (with the reason), timed out → failed. */
async function closingOf(temporal: Client, taskId: string, runId: string, status: string): Promise<{ status: FinalRunStatus; message: string } | undefined> {
  switch (status) {
    case 'TERMINATED': {
      const reason = await terminationReason(temporal, taskId, runId);
      return { status: 'revoked', message: `The run was terminated${reason ? `: ${reason}` : ''}.` };
    }
    case 'TIMED_OUT':
      return { status: 'error', message: 'The run timed out (its workflow execution timeout passed).' };
    case 'CANCELLED':
      return { status: 'revoked', message: 'The run was cancelled.' };
    case 'FAILED':
      return { status: 'error', message: 'The run failed without completing its record.' };
    case 'COMPLETED':
    case 'CONTINUED_AS_NEW':
      return { status: 'error', message: 'The run ended without completing its record.' };
    default:
      return undefined;
  }
}

async function terminationReason(temporal: Client, taskId: string, runId: string): Promise<string | undefined> {
  try {
    const page = await temporal.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: temporal.options.namespace,
      execution: { workflowId: taskId, runId },
      maximumPageSize: 5,
    });
    const event = page.history?.events?.find((e) => Number(e.eventType) === WORKFLOW_EXECUTION_TERMINATED);
    return event?.workflowExecutionTerminatedEventAttributes?.reason?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** How many quiet periods a record whose run Temporal does not know is left before it is ended. */
const UNKNOWN_RUN_GRACE = 4;

/**
 * A record whose run Temporal does not know (deleted, past the namespace's retention, or never
 * started) and that is older than `quietForMs` is ended as failed, and what it held is given back.
 */
async function endUnknownRun(deps: { prisma: PrismaClient; slots?: SlotPolicy }, taskId: string, quietForMs: number): Promise<boolean> {
  const message = 'The run is no longer known to Temporal (deleted, or past the retention of its history).';
  return endRecord(deps, taskId, 'unknown', {
    where: { createdAt: { lt: new Date(Date.now() - quietForMs) } },
    data: { status: 'error', message, error: message, finishedAt: new Date() },
  });
}

/**
 * Ends a record still pending (and matching `where`) with `data`, gives back what its run held
 * (reservations, then slots) and sends the live stream its `done`, in one transaction. False when
 * the record had ended or did not match.
 */
async function endRecord(
  deps: { prisma: PrismaClient; slots?: SlotPolicy },
  taskId: string,
  runId: string,
  end: { where: Prisma.AITaskLogWhereInput; data: Prisma.AITaskLogUpdateManyMutationInput },
): Promise<boolean> {
  const completed = await deps.prisma.$transaction(async (tx) => {
    const updated = await tx.aITaskLog.updateMany({ where: { ...end.where, taskId, status: 'pending' }, data: end.data });
    if (updated.count === 0) return false;
    await releaseReservations(tx, { taskId });
    const record = await tx.aITaskLog.findUniqueOrThrow({ where: { taskId }, select: RECORDED_RUN_FIELDS });
    await publishSnapshot(tx, taskId, { runId, seq: 1, progress: progressFromRecord(record) }, 'done');
    return true;
  });
  if (completed) await releaseCalls(deps.prisma, deps.slots ?? DEFAULT_SLOT_POLICY, { taskId });
  return completed;
}

/**
 * The reconciler's pass: running records whose run has ended elsewhere, oldest first, a bounded
 * number a pass. Answers how many it ended.
 */
export async function endClosedRuns(deps: { prisma: PrismaClient; temporal: Client; slots?: SlotPolicy }, limit = 50, quietForMs = 15_000): Promise<number> {
  // A run that published progress lately is alive; one accepted long ago may never have started.
  const quietSince = new Date(Date.now() - quietForMs);
  const open = await deps.prisma.aITaskLog.findMany({
    where: { status: 'pending', updatedAt: { lt: quietSince } },
    orderBy: { updatedAt: 'asc' },
    take: limit,
    select: { taskId: true },
  });
  let ended = 0;
  for (const { taskId } of open) {
    try {
      if ((await endClosedRun(deps, taskId)) !== undefined) ended++;
    } catch (err) {
      // A run Temporal cannot answer for now is looked at again next pass; one it does not know
      // at all (deleted, past retention) is ended once its record is old enough.
      if (err instanceof WorkflowNotFoundError && (await endUnknownRun(deps, taskId, quietForMs * UNKNOWN_RUN_GRACE))) ended++;
    }
    // Touched: the next pass looks at others first.
    await deps.prisma.aITaskLog.updateMany({ where: { taskId, status: 'pending' }, data: { updatedAt: new Date() } });
  }
  return ended;
}
