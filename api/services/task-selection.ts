import { z } from 'zod';
import type { Prisma, PrismaClient } from '../../db/client';
import { AI_FUNCTIONS, type FunctionName } from '../../functions';
import type { Phase } from '../../pipeline/phases';
import type { TaskState } from '../../pipeline/progress';
import { RUN_STATUSES, stateOfStatus, type RunStatus } from '../../pipeline/run-status';

/**
 * Which run records an operator means: by account, function, state, phase (where an ended run
 * stopped) and age. The list of run records, the bulk retry endpoint and `npm run tasks` read the
 * same selection.
 */
export interface TaskFilter {
  accountId?: number;
  functionName?: FunctionName;
  /** Progress states; a record matches any of them. */
  states?: readonly TaskState[];
  phase?: Phase;
  /** Records created at or after this moment. */
  since?: Date;
}

export const FUNCTION_NAMES = AI_FUNCTIONS.map((f) => f.name) as [FunctionName, ...FunctionName[]];

/** The state a run record reads as in lists: an accepted run not started yet is PENDING, as its progress answer is. */
export function stateOfRecord(record: { status: RunStatus; startedAt: Date | null }): TaskState {
  return record.status === 'pending' && !record.startedAt ? 'PENDING' : stateOfStatus(record.status);
}

/** The run records in a progress state (the inverse of stateOfRecord). */
function whereState(state: TaskState): Prisma.AITaskLogWhereInput {
  if (state === 'PENDING') return { status: 'pending', startedAt: null };
  if (state === 'PROGRESS') return { status: 'pending', startedAt: { not: null } };
  return { status: { in: RUN_STATUSES.filter((status) => stateOfStatus(status) === state) } };
}

export function taskWhere(filter: TaskFilter): Prisma.AITaskLogWhereInput {
  const where: Prisma.AITaskLogWhereInput = {};
  if (filter.accountId !== undefined) where.accountId = filter.accountId;
  if (filter.functionName) where.functionName = filter.functionName;
  if (filter.phase) where.phase = filter.phase;
  if (filter.since) where.createdAt = { gte: filter.since };
  if (filter.states?.length) where.OR = filter.states.map(whereState);
  return where;
}

/** The task ids a filter selects, oldest first (the order a bulk action takes them in), at most `limit`. */
export async function selectTaskIds(prisma: PrismaClient, filter: TaskFilter, limit?: number): Promise<string[]> {
  const rows = await prisma.aITaskLog.findMany({
    where: taskWhere(filter),
    select: { taskId: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    ...(limit !== undefined ? { take: limit } : {}),
  });
  return rows.map((row) => row.taskId);
}

const SINCE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const SINCE_AGO = /^(\d{1,9})(s|m|h|d|w)$/;
/** A date, or a date and time with an optional offset: 2026-12-01, 2026-12-01T08:00:00Z, 2026-12-01T08:00+01:00. */
const SINCE_ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const SINCE_HELP = 'an age like 30m, 2h, 7d (s, m, h, d, w) or an ISO 8601 date-time like 2026-12-01T08:00:00Z';

/** `2h` (two hours before `now`) or an ISO 8601 date-time as a moment; undefined when it is neither. */
export function parseSince(text: string, now = Date.now()): Date | undefined {
  // A query string's `+01:00` arrives as ` 01:00` when the client did not encode the `+`.
  const value = text.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2');
  const ago = SINCE_AGO.exec(value);
  const moment = ago ? new Date(now - Number(ago[1]) * SINCE_UNITS[ago[2]]) : SINCE_ISO.test(value) && realDay(value) ? new Date(value) : undefined;
  return moment && !Number.isNaN(moment.getTime()) ? moment : undefined;
}

/** The date's day exists (Date would read 2026-02-30 as March 2nd). */
function realDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `since` in a query string or a body: parsed to a Date, or refused naming the forms it takes. */
export const sinceSchema = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const moment = parseSince(text);
    if (!moment) {
      ctx.addIssue({ code: 'custom', message: `must be ${SINCE_HELP}` });
      return z.NEVER;
    }
    return moment;
  });
