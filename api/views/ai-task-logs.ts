import { z } from 'zod';
import type { AITaskLog } from '../../db/client';
import { RUN_STATUSES } from '../../pipeline/run-status';

export const aiTaskLogView = z.object({
  task_id: z.string(),
  function_name: z.string(),
  phase: z.string(),
  message: z.string(),
  status: z.enum(RUN_STATUSES),
  /** Milliseconds from start to end; null until the run ends. */
  duration: z.number().int().nullable(),
  cost: z.number(),
  tokens: z.number().int(),
  error: z.string().nullable(),
  /** The start request's input: ids, sector_id, prompt_override. */
  payload: z.unknown(),
  result: z.unknown(),
  retry_of: z.string().nullable(),
  retried_as: z.string().nullable(),
  /** When the run was last re-parsed (its parse and save ran again on the stored answers); null if never. */
  reparsed_at: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  request_steps: z.array(z.unknown()).optional(),
  response_steps: z.array(z.unknown()).optional(),
});

/** A run record as the list shows it; the step logs only when asked (`include_steps=true`: they are the bulk of a row). */
export function toAiTaskLogView(
  log: Omit<AITaskLog, 'requestSteps' | 'responseSteps'> & Partial<Pick<AITaskLog, 'requestSteps' | 'responseSteps'>>,
  includeSteps = false,
): z.infer<typeof aiTaskLogView> {
  return {
    task_id: log.taskId,
    function_name: log.functionName,
    phase: log.phase,
    message: log.message,
    status: log.status,
    duration: log.duration,
    cost: log.cost,
    tokens: log.tokens,
    error: log.error,
    payload: log.payload,
    result: log.result,
    retry_of: log.retryOf,
    retried_as: log.retriedAs,
    reparsed_at: log.reparsedAt?.toISOString() ?? null,
    created_at: log.createdAt.toISOString(),
    started_at: log.startedAt?.toISOString() ?? null,
    finished_at: log.finishedAt?.toISOString() ?? null,
    ...(includeSteps ? { request_steps: asSteps(log.requestSteps), response_steps: asSteps(log.responseSteps) } : {}),
  };
}

/** Stored step logs read as lists, whatever an older row holds. */
function asSteps(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
