import type { PrismaClient } from '../db/client';
import type { RunOutcome } from '../pipeline/run-io';
import { creditsForCost } from './credits';
import type { ActivityDeps } from './deps';

/** Marks the run record as running: from here on, progress is answered from the workflow. */
export async function markRunStarted(prisma: PrismaClient, taskId: string): Promise<void> {
  await prisma.aITaskLog.updateMany({ where: { taskId, startedAt: null }, data: { startedAt: new Date() } });
}

/**
 * DONE: completes the run record and, for a successful run, logs the credits it used.
 * Both are keyed by task id, so a repeated completion writes the same rows again, never twice.
 */
export function createRunRecordActivities({ prisma }: ActivityDeps) {
  async function completeRunRecord(outcome: RunOutcome): Promise<void> {
    const run = await prisma.aITaskLog.findUnique({ where: { taskId: outcome.taskId } });
    if (!run) return;
    await prisma.$transaction(async (tx) => {
      await tx.aITaskLog.update({
        where: { taskId: outcome.taskId },
        data: {
          status: outcome.status,
          phase: outcome.phase,
          message: outcome.message,
          duration: Math.max(0, Math.round(outcome.durationMs)),
          cost: outcome.cost,
          tokens: outcome.tokens,
          requestSteps: outcome.requestSteps as object[],
          responseSteps: outcome.responseSteps as object[],
          result: (outcome.result ?? undefined) as object | undefined,
          error: outcome.error ?? null,
          finishedAt: new Date(),
        },
      });
      if (outcome.status !== 'success') return;
      const usage = await tx.aIRequest.aggregate({
        where: { taskId: outcome.taskId },
        _sum: { inputTokens: true, outputTokens: true, cost: true },
        _max: { model: true },
      });
      const costUsd = usage._sum.cost ?? 0;
      const tokens = (usage._sum.inputTokens ?? 0) + (usage._sum.outputTokens ?? 0);
      const entry = {
        creditsUsed: creditsForCost(costUsd),
        costUsd,
        tokens,
        model: usage._max.model,
        metadata: { function_name: run.functionName },
      };
      await tx.creditUsageLog.upsert({
        where: { taskId_kind: { taskId: outcome.taskId, kind: 'usage' } },
        create: { accountId: run.accountId, taskId: outcome.taskId, operationType: run.functionName, kind: 'usage', ...entry },
        update: entry,
      });
    });
  }

  return { completeRunRecord };
}
