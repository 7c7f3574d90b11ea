import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import type { TaskState } from '../../pipeline/progress';
import { HttpError, ServiceUnavailableError } from '../errors';
import { isDatabaseUnavailable, isTemporalUnavailable } from '../unavailable';
import { cancelTask, reparseTask, resetTask, retryTask } from './task-control';

type Deps = { prisma: PrismaClient; temporal: Client; taskQueue: string };

export const BULK_ACTIONS = ['retry', 'reset', 'reparse', 'cancel'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The progress states each action applies to: what a filter selects when it names no state. */
export const ACTION_STATES = {
  retry: ['FAILURE', 'REVOKED'],
  reset: ['FAILURE'],
  reparse: ['FAILURE'],
  cancel: ['PENDING', 'PROGRESS'],
} as const satisfies Record<BulkAction, readonly TaskState[]>;

/** Most tasks one bulk request of the API takes (a larger selection is refused, not cut). */
export const MAX_BULK_TASKS = 500;

/** Tasks acted on at once: a start or a reset is a few round trips to PostgreSQL and Temporal, and the API's pool (10 connections by default) must keep room for other requests. */
const CONCURRENCY = 8;

export interface BulkDone {
  task_id: string;
  /** A retry's new task. */
  new_task_id?: string;
}

export interface BulkSkipped {
  task_id: string;
  reason: string;
}

export interface BulkOutcome {
  done: BulkDone[];
  skipped: BulkSkipped[];
}

export interface BulkOptions {
  /** Only this account's tasks (the API's caller); others' ids are skipped as not found. Unset: any account (the operators' CLI). */
  accountId?: number;
  /** After each task, with how many of them are through. */
  onProgress?: (through: number, total: number) => void;
  /** An unexpected error of one task: the task is skipped with a general reason, this hears the error itself. */
  onError?: (taskId: string, err: unknown) => void;
}

/**
 * Retries, resets, re-parses or cancels many tasks with the one-task operations of task-control.ts, each task
 * on its own: one that the operation refuses (already retried, still running, succeeded, not
 * found) is skipped with the reason, and the others go on. A task is retried once, so the same
 * bulk retry again starts nothing and lists every task as skipped ("already retried as …").
 * When PostgreSQL or Temporal stops answering, the tasks not begun are left alone and the whole
 * action fails with a 503 saying how many were done: repeating it skips those.
 */
export async function applyToTasks(deps: Deps, action: BulkAction, taskIds: readonly string[], options: BulkOptions = {}): Promise<BulkOutcome> {
  const ids = [...new Set(taskIds)];
  const owners = await ownersOf(deps.prisma, ids, options.accountId);
  const results: Array<{ done: BulkDone } | { skipped: BulkSkipped } | undefined> = new Array(ids.length);
  let through = 0;
  let unavailable: unknown;
  let next = 0;

  const one = async (taskId: string): Promise<{ done: BulkDone } | { skipped: BulkSkipped }> => {
    const owner = owners.get(taskId);
    if (!owner) return { skipped: { task_id: taskId, reason: 'not found' } };
    // retryTask answers the same; known already, it costs no further reads.
    if (action === 'retry' && owner.retriedAs) return { skipped: { task_id: taskId, reason: `already retried as ${owner.retriedAs}` } };
    const { accountId } = owner;
    try {
      switch (action) {
        case 'retry': {
          const retry = await retryTask(deps, accountId, taskId);
          return retry.started
            ? { done: { task_id: taskId, new_task_id: retry.taskId } }
            : { skipped: { task_id: taskId, reason: `already retried as ${retry.taskId}` } };
        }
        case 'reset':
          await resetTask(deps, accountId, taskId);
          return { done: { task_id: taskId } };
        case 'reparse':
          await reparseTask(deps, accountId, taskId);
          return { done: { task_id: taskId } };
        case 'cancel':
          await cancelTask(deps, accountId, taskId);
          return { done: { task_id: taskId } };
      }
    } catch (err) {
      if (err instanceof HttpError && err.statusCode < 500) return { skipped: { task_id: taskId, reason: err.message } };
      if (err instanceof ServiceUnavailableError || isTemporalUnavailable(err) || isDatabaseUnavailable(err)) throw err;
      options.onError?.(taskId, err);
      return { skipped: { task_id: taskId, reason: `the ${action} failed with an unexpected error` } };
    }
  };

  const lane = async () => {
    while (unavailable === undefined && next < ids.length) {
      const index = next++;
      try {
        results[index] = await one(ids[index]);
      } catch (err) {
        unavailable ??= err;
        return;
      }
      options.onProgress?.(++through, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));

  const outcome: BulkOutcome = { done: [], skipped: [] };
  for (const result of results) {
    if (!result) continue;
    if ('done' in result) outcome.done.push(result.done);
    else outcome.skipped.push(result.skipped);
  }
  if (unavailable !== undefined) {
    const which = isDatabaseUnavailable(unavailable) ? 'The database' : 'Temporal';
    throw new ServiceUnavailableError(
      `${which} stopped answering during the ${action}: ${outcome.done.length} of ${ids.length} tasks were done before it did. Repeat the same request when it answers again; tasks already done are skipped.`,
    );
  }
  return outcome;
}

/** The account (and retry) of each task that exists and belongs to `accountId`, when given. */
async function ownersOf(prisma: PrismaClient, taskIds: string[], accountId: number | undefined): Promise<Map<string, { accountId: number; retriedAs: string | null }>> {
  const rows = await prisma.aITaskLog.findMany({
    where: { taskId: { in: taskIds }, ...(accountId !== undefined ? { accountId } : {}) },
    select: { taskId: true, accountId: true, retriedAs: true },
  });
  return new Map(rows.map((row) => [row.taskId, { accountId: row.accountId, retriedAs: row.retriedAs }]));
}
