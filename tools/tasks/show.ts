import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import { TaskProgressService } from '../../api/services/task-progress';
import type { StepLog, TaskProgress } from '../../pipeline/progress';
import { webUiLink, type TasksSettings } from './settings';
import { shortTime, table } from './table';

/** What `tasks show --json` prints: the run record's links and times, the progress answer, the Web UI page. */
export interface ShownTask {
  task_id: string;
  account_id: number;
  function_name: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  retry_of: string | null;
  retried_as: string | null;
  /** The API's task_progress answer for the task (its step log is meta.request_steps and meta.response_steps). */
  progress: TaskProgress;
  web_ui_url: string | null;
}

/** A task of any account; undefined when there is no such task. */
export async function showTask(deps: { prisma: PrismaClient; temporal: Client; settings: TasksSettings }, taskId: string): Promise<ShownTask | undefined> {
  const record = await deps.prisma.aITaskLog.findUnique({
    where: { taskId },
    select: { taskId: true, accountId: true, functionName: true, createdAt: true, startedAt: true, finishedAt: true, retryOf: true, retriedAs: true },
  });
  if (!record) return undefined;
  const progress = await new TaskProgressService(deps.prisma, deps.temporal).progress(record.accountId, taskId);
  return {
    task_id: record.taskId,
    account_id: record.accountId,
    function_name: record.functionName,
    created_at: record.createdAt.toISOString(),
    started_at: record.startedAt?.toISOString() ?? null,
    finished_at: record.finishedAt?.toISOString() ?? null,
    retry_of: record.retryOf,
    retried_as: record.retriedAs,
    progress,
    web_ui_url: webUiLink(deps.settings, taskId, await runIdOf(deps.temporal, taskId)) ?? null,
  };
}

/** The run's id, for a link to the run itself; undefined when Temporal no longer keeps it or does not answer. */
async function runIdOf(temporal: Client, taskId: string): Promise<string | undefined> {
  try {
    return (await temporal.withDeadline(Date.now() + 3_000, () => temporal.workflow.getHandle(taskId).describe())).runId;
  } catch {
    return undefined;
  }
}

export function showText(task: ShownTask): string {
  const { meta } = task.progress;
  const lines = [
    `Task       ${task.task_id}`,
    `Account    ${task.account_id}`,
    `Function   ${task.function_name}`,
    `State      ${task.progress.state} (${meta.phase}, ${meta.percentage}%)`,
    `Message    ${meta.message}`,
  ];
  if (task.progress.error && task.progress.error !== meta.message) lines.push(`Error      ${task.progress.error}`);
  if (meta.current !== undefined && meta.total !== undefined) lines.push(`Items      ${meta.current} of ${meta.total}${meta.current_item ? ` (${meta.current_item})` : ''}`);
  if (meta.queue_position !== undefined) lines.push(`In line    ${meta.queue_position}`);
  lines.push(`Cost       $${meta.cost.toFixed(6)}, ${meta.tokens} tokens${meta.credits !== undefined ? `, ${meta.credits} credits` : ''}`);
  lines.push(`Created    ${shortTime(task.created_at)}`);
  if (task.started_at) lines.push(`Started    ${shortTime(task.started_at)}`);
  if (task.finished_at) lines.push(`Finished   ${shortTime(task.finished_at)}`);
  if (task.retry_of) lines.push(`Retry of   ${task.retry_of}`);
  if (task.retried_as) lines.push(`Retried as ${task.retried_as}`);
  if (task.progress.result) lines.push(`Result     ${task.progress.result.count} saved${failedItems(task.progress)}`);
  lines.push('', 'Steps');
  const steps = [...meta.request_steps.map((step) => ['request', step] as const), ...meta.response_steps.map((step) => ['response', step] as const)];
  lines.push(steps.length ? table(['', '#', 'STEP', 'STATUS', 'MS', 'MESSAGE'], steps.map(([side, step]) => stepRow(side, step))) : '  (none yet)');
  lines.push('', `Web UI     ${task.web_ui_url ?? 'unknown: set TEMPORAL_UI_URL to the Temporal Web UI'}`);
  return lines.join('\n');
}

function stepRow(side: string, step: StepLog): string[] {
  const message = step.error && step.error !== step.message ? `${step.message}: ${step.error}` : step.message;
  return [side, String(step.stepNumber), step.stepName, step.status, step.duration !== undefined ? String(Math.round(step.duration)) : '', message];
}

function failedItems(progress: TaskProgress): string {
  const failed = progress.result?.items.filter((item) => item.status === 'failed').length ?? 0;
  return failed ? `, ${failed} item(s) failed` : '';
}
