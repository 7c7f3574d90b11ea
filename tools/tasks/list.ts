import type { PrismaClient } from '../../db/client';
import { stateOfRecord, taskWhere, type TaskFilter } from '../../api/services/task-selection';
import type { TaskState } from '../../pipeline/progress';
import { table, shortTime } from './table';

/** One run record as `tasks list --json` prints it. */
export interface ListedTask {
  task_id: string;
  account_id: number;
  function_name: string;
  state: TaskState;
  phase: string;
  message: string;
  created_at: string;
  finished_at: string | null;
  retried_as: string | null;
}

/** The run records a filter selects, newest first, and how many match in all. */
export async function listTasks(prisma: PrismaClient, filter: TaskFilter, limit: number): Promise<{ total: number; tasks: ListedTask[] }> {
  const where = taskWhere(filter);
  const [total, rows] = await Promise.all([
    prisma.aITaskLog.count({ where }),
    prisma.aITaskLog.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { taskId: true, accountId: true, functionName: true, status: true, startedAt: true, phase: true, message: true, createdAt: true, finishedAt: true, retriedAs: true },
    }),
  ]);
  const tasks = rows.map((row) => ({
    task_id: row.taskId,
    account_id: row.accountId,
    function_name: row.functionName,
    state: stateOfRecord(row),
    phase: row.phase,
    message: row.message,
    created_at: row.createdAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
    retried_as: row.retriedAs,
  }));
  return { total, tasks };
}

const MESSAGE_WIDTH = 60;

export function listText({ total, tasks }: { total: number; tasks: ListedTask[] }): string {
  if (!tasks.length) return 'No tasks match.';
  const rows = tasks.map((task) => [
    task.task_id,
    String(task.account_id),
    task.function_name,
    task.state,
    task.phase,
    shortTime(task.created_at),
    task.finished_at ? shortTime(task.finished_at) : '',
    task.retried_as ? 'retried' : '',
    oneLine(task.message, MESSAGE_WIDTH),
  ]);
  const lines = [table(['TASK', 'ACCOUNT', 'FUNCTION', 'STATE', 'PHASE', 'CREATED', 'FINISHED', 'RETRY', 'MESSAGE'], rows)];
  lines.push(tasks.length < total ? `${tasks.length} of ${total} tasks (newest first; --limit N for more).` : `${total} task${total === 1 ? '' : 's'}.`);
  return lines.join('\n');
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
