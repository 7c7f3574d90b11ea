import type { PrismaClient } from '../../db/client';
import { AI_FUNCTIONS } from '../../functions';
import type { InputRows } from '../../pipeline/definition';
import { ConflictError } from '../errors';

/** Rows about to go, by kind: the row itself and what its removal takes with it. */
export type RowsToRemove = Partial<Record<InputRows, number[]>>;

/** The functions whose input ids name rows of each kind (functions/<name>/definition.ts `input`). */
function functionsReading(kind: InputRows): string[] {
  return AI_FUNCTIONS.filter((fn) => fn.input === kind).map((fn) => fn.name);
}

/**
 * A task still running (its run record `pending`) whose input ids name one of `rows`, or undefined.
 * The run record's `payload.ids` is what the workflow works on, so a row listed there must stay
 * until the run ends.
 */
export async function runningTaskUsing(prisma: PrismaClient, accountId: number, rows: RowsToRemove): Promise<string | undefined> {
  const uses = (Object.entries(rows) as Array<[InputRows, number[]]>).flatMap(([kind, ids]) =>
    ids.map((id) => ({ functionName: { in: functionsReading(kind) }, payload: { path: ['ids'], array_contains: [id] } })),
  );
  if (uses.length === 0) return undefined;
  const run = await prisma.aITaskLog.findFirst({
    where: { accountId, status: 'pending', OR: uses },
    select: { taskId: true },
    orderBy: { createdAt: 'asc' },
  });
  return run?.taskId;
}

/** 409 naming the task when a running task uses one of the rows a delete would remove. */
export async function refuseWhileInUse(prisma: PrismaClient, accountId: number, label: string, rows: RowsToRemove): Promise<void> {
  const taskId = await runningTaskUsing(prisma, accountId, rows);
  if (taskId) {
    throw new ConflictError(`${label} is used by the running task ${taskId}; cancel the task or wait for it to end before deleting.`);
  }
}
