import type { PrismaClient } from '../db/client';
import type { RunOutcome } from '../pipeline/run-io';
import { chargeRunOnce } from './credits';
import type { ActivityDeps } from './deps';

/** Marks the run record as running: from here on, progress is answered from the workflow. */
export async function markRunStarted(prisma: PrismaClient, taskId: string): Promise<void> {
  await prisma.aITaskLog.updateMany({ where: { taskId, startedAt: null }, data: { startedAt: new Date() } });
}

/** The run record's fields for how a run ended (its end and the progress it had reached). */
export function recordEnd(outcome: RunOutcome) {
  return {
    status: outcome.status,
    phase: outcome.phase,
    percentage: outcome.percentage ?? null,
    message: outcome.message,
    duration: Math.max(0, Math.round(outcome.durationMs)),
    cost: outcome.cost,
    tokens: outcome.tokens,
    requestSteps: outcome.requestSteps as object[],
    responseSteps: outcome.responseSteps as object[],
    result: (outcome.result ?? undefined) as object | undefined,
    error: outcome.error ?? null,
    finishedAt: new Date(),
  };
}

/**
 * DONE of runs from before credits were reserved per call: completes the run record and, for a
 * successful run, charges its cost once (keyed by task, so a repeated completion charges nothing
 * more).
 */
export function createRunRecordActivities({ prisma }: ActivityDeps) {
  async function completeRunRecord(outcome: RunOutcome): Promise<void> {
    const run = await prisma.aITaskLog.findUnique({ where: { taskId: outcome.taskId } });
    if (!run) return;
    await prisma.$transaction(async (tx) => {
      await tx.aITaskLog.update({
        where: { taskId: outcome.taskId },
        data: recordEnd(outcome),
      });
      if (outcome.status !== 'success') return;
      const usage = await tx.aIRequest.aggregate({
        where: { taskId: outcome.taskId },
        _sum: { inputTokens: true, outputTokens: true, cost: true },
        _max: { model: true },
      });
      await chargeRunOnce(tx, {
        accountId: run.accountId,
        taskId: outcome.taskId,
        functionName: run.functionName,
        costUsd: usage._sum.cost ?? 0,
        tokens: (usage._sum.inputTokens ?? 0) + (usage._sum.outputTokens ?? 0),
        model: usage._max.model,
      });
    });
  }

  return { completeRunRecord };
}
