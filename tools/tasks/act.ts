import { createInterface } from 'node:readline/promises';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import { applyToTasks, type BulkAction, type BulkOutcome } from '../../api/services/bulk-task-control';
import { selectTaskIds, type TaskFilter } from '../../api/services/task-selection';
import { UsageError } from './arguments';

/** The JSON key of what an action did: `{"retried": […], "skipped": […]}`. */
const DONE_KEY: Record<BulkAction, string> = { retry: 'retried', reset: 'reset', reparse: 'reparsed', cancel: 'cancelled' };
const VERB: Record<BulkAction, string> = { retry: 'Retry', reset: 'Reset', reparse: 'Re-parse', cancel: 'Cancel' };

/** Actions on more tasks than this show a progress line on stderr. */
const PROGRESS_FROM = 10;

export interface ActionRequest {
  action: BulkAction;
  taskIds: string[];
  filter?: TaskFilter;
  limit?: number;
  json: boolean;
  yes: boolean;
}

export interface ActionResult {
  outcome: BulkOutcome;
  /** Some task named by id does not exist. */
  unknownIds: boolean;
  /** The operator declined (nothing was done). */
  declined: boolean;
}

/**
 * Retries, resets or cancels tasks named by id at once; tasks a filter selects are counted and
 * confirmed first (on a terminal the operator is asked; without one --yes is required).
 */
export async function runAction(deps: { prisma: PrismaClient; temporal: Client; taskQueue: string }, request: ActionRequest): Promise<ActionResult> {
  const { action } = request;
  let taskIds = request.taskIds;
  if (request.filter) {
    taskIds = await selectTaskIds(deps.prisma, request.filter, request.limit);
    if (taskIds.length && !request.yes) {
      const question = `${VERB[action]} ${taskIds.length} task${taskIds.length === 1 ? '' : 's'}?`;
      if (!process.stdin.isTTY) {
        throw new UsageError(`${question} Not without confirmation: there is no terminal to ask on. Add --yes (see them first with the same filters on \`tasks list\`).`);
      }
      if (!(await confirm(`${question} [y/N] `))) {
        return { outcome: { done: [], skipped: [] }, unknownIds: false, declined: true };
      }
    }
  }
  const progress = taskIds.length > PROGRESS_FROM ? progressLine(action) : undefined;
  let outcome: BulkOutcome;
  try {
    outcome = await applyToTasks(deps, action, taskIds, { onProgress: progress?.update });
  } finally {
    progress?.end();
  }
  const unknownIds = !request.filter && outcome.skipped.some((skip) => skip.reason === 'not found');
  return { outcome, unknownIds, declined: false };
}

export function actionJson(action: BulkAction, outcome: BulkOutcome): string {
  return JSON.stringify({ [DONE_KEY[action]]: outcome.done, skipped: outcome.skipped });
}

export function actionText(action: BulkAction, outcome: BulkOutcome): string {
  const key = DONE_KEY[action];
  const lines = [
    ...outcome.done.map((done) => `${key.padEnd(9)} ${done.task_id}${done.new_task_id ? ` → ${done.new_task_id}` : ''}`),
    ...outcome.skipped.map((skip) => `${'skipped'.padEnd(9)} ${skip.task_id}: ${skip.reason}`),
  ];
  lines.push(outcome.done.length + outcome.skipped.length ? `${outcome.done.length} ${key}, ${outcome.skipped.length} skipped.` : 'No tasks match.');
  return lines.join('\n');
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** `retry 120/500` on stderr: rewritten in place on a terminal, else a line every two seconds and at the end. */
function progressLine(action: BulkAction): { update: (through: number, total: number) => void; end: () => void } {
  const terminal = Boolean(process.stderr.isTTY);
  let lastWritten = 0;
  let last = '';
  return {
    update(through, total) {
      last = `${action} ${through}/${total}`;
      if (terminal) process.stderr.write(`\r${last}`);
      else if (Date.now() - lastWritten >= 2000 || through === total) {
        process.stderr.write(`${last}\n`);
        lastWritten = Date.now();
      }
    },
    end() {
      if (terminal && last) process.stderr.write('\n');
    },
  };
}
