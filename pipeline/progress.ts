import { z } from 'zod';
import { PHASES } from './phases';

/**
 * The progress object of `GET …/task_progress/{task_id}/` (docs/progress.md), defined once: the
 * workflow builds it (importing the types only, so no zod enters the workflow bundle), the API
 * answers it with this schema as the response schema, the live stream sends it.
 */

/** Celery's state names, kept so existing frontends' progress modals keep working. */
export const TASK_STATES = ['PENDING', 'PROGRESS', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;
export const TERMINAL_STATES: readonly TaskState[] = ['SUCCESS', 'FAILURE', 'REVOKED'];

export const stepLogSchema = z.object({
  stepNumber: z.number().int(),
  stepName: z.string(),
  status: z.enum(['success', 'error', 'pending']),
  message: z.string(),
  /** Milliseconds. */
  duration: z.number().optional(),
  error: z.string().optional(),
});

export const progressMetaSchema = z.object({
  phase: z.enum(PHASES),
  percentage: z.number(),
  message: z.string(),
  request_steps: z.array(stepLogSchema),
  response_steps: z.array(stepLogSchema),
  cost: z.number(),
  tokens: z.number().int(),
  /** Credits charged so far (runs that reserve credits per call). */
  credits: z.number().int().optional(),
  current: z.number().int().optional(),
  total: z.number().int().optional(),
  current_item: z.string().optional(),
  /** While an AI call of the task waits for a slot: its place in its account's line (1 = next). */
  queue_position: z.number().int().optional(),
  /** The run was re-parsed: its parse and save ran again on the answers already stored (no new AI call). */
  reparsed: z.boolean().optional(),
});

export const itemOutcomeSchema = z.object({
  id: z.union([z.number(), z.string()]),
  status: z.enum(['success', 'failed']),
  error: z.string().optional(),
});

/** The result of a successful run: `count`, the function's own counters, and per-item outcomes. */
export const taskResultSchema = z.looseObject({ count: z.number().int(), items: z.array(itemOutcomeSchema) });

export const taskProgressSchema = z.object({
  state: z.enum(TASK_STATES),
  meta: progressMetaSchema,
  result: taskResultSchema.optional(),
  error: z.string().optional(),
});

export type TaskState = (typeof TASK_STATES)[number];
export type StepLog = z.infer<typeof stepLogSchema>;
export type ProgressMeta = z.infer<typeof progressMetaSchema>;
export type ItemOutcome = z.infer<typeof itemOutcomeSchema>;
export type TaskResult = z.infer<typeof taskResultSchema>;
export type TaskProgress = z.infer<typeof taskProgressSchema>;
