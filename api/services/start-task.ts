import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { PrismaClient } from '../../db/client';
import type { AIFunction } from '../../functions';
import type { RunInput } from '../../pipeline/run-io';
import { AI_ACCOUNT, AI_FUNCTION, AI_PHASE, AI_STATE } from '../../pipeline/search-attributes';
import { WAITING_TO_START } from '../../pipeline/progress-state';
import { ServiceUnavailableError } from '../errors';
import { taskForKey, type IdempotentRequest } from './idempotency';

export interface StartTaskRequest {
  accountId: number;
  ids: number[];
  sectorId?: number;
  promptOverride?: string;
}

/** `auto_cluster-a12-7f3c…`: what the run is and whose, readable in the Web UI's list. */
export function newTaskId(definition: AIFunction, accountId: number): string {
  return `${definition.name}-a${accountId}-${randomUUID()}`;
}

/** How a start differs from a plain one: a retry of another task (with the id it claimed), an Idempotency-Key. */
export interface StartExtras {
  retryOf?: string;
  /** The new task's id, when the caller chose it first (a retry claims it on the failed run before starting). */
  taskId?: string;
  idempotency?: IdempotentRequest;
  /** The id of the HTTP request that starts the task (X-Request-Id), kept on the run record and in the memo. */
  requestId?: string;
}

/**
 * Writes a new task's run record (see docs/progress.md) and answers the workflow input for it, or the earlier
 * task's id when the Idempotency-Key was seen before.
 */
export async function createRunRecord(
  prisma: PrismaClient,
  definition: AIFunction,
  request: StartTaskRequest,
  extra: StartExtras = {},
): Promise<{ input: RunInput } | { earlier: string }> {
  const { idempotency } = extra;
  if (idempotency) {
    const earlier = await taskForKey(prisma, request.accountId, idempotency);
    if (earlier) return { earlier };
  }
  const taskId = extra.taskId ?? newTaskId(definition, request.accountId);
  const input: RunInput = {
    taskId,
    accountId: request.accountId,
    functionName: definition.name,
    ids: request.ids,
    ...(request.sectorId !== undefined ? { sectorId: request.sectorId } : {}),
    ...(request.promptOverride ? { promptOverride: request.promptOverride } : {}),
  };
  try {
    await prisma.aITaskLog.create({
      data: {
        taskId,
        accountId: request.accountId,
        functionName: definition.name,
        status: 'pending',
        phase: 'INIT',
        message: WAITING_TO_START,
        payload: { ids: request.ids, sector_id: request.sectorId ?? null, prompt_override: request.promptOverride ?? null },
        retryOf: extra.retryOf ?? null,
        idempotencyKey: idempotency?.key ?? null,
        requestHash: idempotency?.hash ?? null,
        requestId: extra.requestId ?? null,
      },
    });
  } catch (err) {
    // Two requests with the same key at once: the unique key let one through; answer its task.
    const earlier = idempotency && isUniqueViolation(err) ? await taskForKey(prisma, request.accountId, idempotency) : undefined;
    if (earlier) return { earlier };
    throw err;
  }
  return { input };
}

/**
 * Accepts a task: writes its run record, then starts the function's workflow with the record's id.
 * If Temporal cannot take it, the record is removed and the caller gets a 503, so no record points
 * at a run that does not exist.
 */
export async function startTask(
  deps: { prisma: PrismaClient; temporal: Client; taskQueue: string },
  definition: AIFunction,
  request: StartTaskRequest,
  extra: StartExtras = {},
): Promise<string> {
  const record = await createRunRecord(deps.prisma, definition, request, extra);
  if ('earlier' in record) return record.earlier;
  const { input } = record;
  const taskId = input.taskId;
  const summary = `${definition.name} of ${request.ids.length} ${definition.itemNoun}(s) for account ${request.accountId}`;
  try {
    await deps.temporal.workflow.start(definition.workflowType, {
      taskQueue: deps.taskQueue,
      workflowId: taskId,
      args: [input],
      memo: { summary, ...(extra.retryOf ? { retry_of: extra.retryOf } : {}), ...(extra.requestId ? { request_id: extra.requestId } : {}) },
      staticSummary: summary,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AI_ACCOUNT, value: String(request.accountId) },
        { key: AI_FUNCTION, value: definition.name },
        { key: AI_PHASE, value: 'INIT' },
        { key: AI_STATE, value: 'PENDING' },
      ]),
    });
  } catch (err) {
    await deps.prisma.aITaskLog.delete({ where: { taskId } }).catch(() => undefined);
    throw new ServiceUnavailableError(`Temporal is unreachable; the task was not started (${describeStartError(err)}).`);
  }
  return taskId;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'P2002';
}

function describeStartError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? `gRPC status ${code}` : err instanceof Error ? err.name : 'unknown error';
}
