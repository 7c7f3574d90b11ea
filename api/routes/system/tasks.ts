import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, positiveId, startBody, startErrorResponses, taskIdParams } from '../../schemas';
import { cancelTask, reparseTask, resetTask, retryTask } from '../../services/task-control';
import { estimateStart } from '../../services/task-estimate';
import { ACTION_STATES, applyToTasks, MAX_BULK_TASKS } from '../../services/bulk-task-control';
import { FUNCTION_NAMES, selectTaskIds, sinceSchema, taskWhere, type TaskFilter } from '../../services/task-selection';
import { BadRequestError } from '../../errors';
import { PHASES } from '../../../pipeline/phases';

/** Which tasks a bulk retry takes: named ids, or the account's failed and cancelled tasks a filter selects. */
const bulkRetryBody = z
  .object({
    task_ids: z
      .array(z.string().min(1).max(100))
      .min(1, 'task_ids must hold at least one task id')
      .max(MAX_BULK_TASKS, `a bulk retry takes at most ${MAX_BULK_TASKS} tasks; send them in several requests`)
      .optional(),
    filter: z
      .object({
        function_name: z.enum(FUNCTION_NAMES).optional(),
        /** Without it, both: a retry applies to failed and cancelled tasks only. */
        state: z.enum(ACTION_STATES.retry).optional(),
        /** The phase an ended run stopped in. */
        phase: z.enum(PHASES).optional(),
        /** Tasks created since: `2h`, `30m`, `7d` or an ISO 8601 date-time. */
        since: sinceSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((body) => (body.task_ids === undefined) !== (body.filter === undefined), { message: 'give either task_ids or filter (one of them)' });

const bulkRetryAnswer = z.object({
  success: z.literal(true),
  retried: z.array(z.object({ task_id: z.string(), new_task_id: z.string() })),
  skipped: z.array(z.object({ task_id: z.string(), reason: z.string() })),
});

/** What a start would cost: the start's own body, and the function it would start. */
const estimateBody = startBody
  .extend({
    /** A function's name or one of its aliases (GET /api/v1/system/ai-functions/). */
    function: z.string().min(1).max(100),
    sector_id: positiveId.optional(),
  })
  .strict();

const creditsAndCost = z.object({ max: z.number(), expected: z.number() });

const estimateAnswer = z.object({
  success: z.literal(true),
  function_name: z.string(),
  items: z.number().int(),
  ai_calls: z.number().int(),
  /** `max`: what the run reserves (the most it can be charged); `expected`: what it is likely to be charged. */
  credits: z.object({ max: z.number().int(), expected: z.number().int() }),
  cost_usd: creditsAndCost,
  available_credits: z.number().int(),
  /** `history`: expected from the account's recent runs of the function; `prompt_size`: from the prompts alone. */
  basis: z.enum(['history', 'prompt_size']),
});

/** Operator actions on a run: cancel, retry with the same input, reset a failed run, re-parse its stored answers; and a start's estimate. */
export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/system/tasks/retry/',
    {
      // Each retry starts a paid run; the request counts once with the starts.
      config: { startsTask: true },
      schema: {
        tags: ['tasks'],
        description: `Retries many failed or cancelled tasks (at most ${MAX_BULK_TASKS}), each once: a task already retried, still running, succeeded or not found is skipped with the reason, so the same request again starts nothing.`,
        body: bulkRetryBody,
        response: { 200: bulkRetryAnswer, ...startErrorResponses },
      },
    },
    async (request) => {
      const { task_ids: named, filter } = request.body;
      let taskIds = named ?? [];
      if (filter) {
        const selection: TaskFilter = {
          accountId: request.accountId,
          functionName: filter.function_name,
          states: filter.state ? [filter.state] : ACTION_STATES.retry,
          phase: filter.phase,
          since: filter.since,
        };
        taskIds = await selectTaskIds(app.prisma, selection, MAX_BULK_TASKS + 1);
        if (taskIds.length > MAX_BULK_TASKS) {
          const count = await app.prisma.aITaskLog.count({ where: taskWhere(selection) });
          throw new BadRequestError(`The filter selects ${count} tasks; a bulk retry takes at most ${MAX_BULK_TASKS}: narrow it (since, function_name, phase, state).`);
        }
      }
      const outcome = await applyToTasks(app, 'retry', taskIds, {
        accountId: request.accountId,
        onError: (taskId, err) => request.log.error({ err, taskId }, 'bulk retry of a task failed'),
      });
      return {
        success: true as const,
        retried: outcome.done.map((done) => ({ task_id: done.task_id, new_task_id: done.new_task_id ?? '' })),
        skipped: outcome.skipped,
      };
    },
  );

  app.post(
    '/api/v1/system/tasks/estimate/',
    {
      schema: {
        tags: ['tasks'],
        description:
          "What starting `function` on `ids` would cost, checked as the start is (the same 400 and 404 answers) and started nothing: the credits the run would reserve (`max`), those it is likely to be charged (`expected`, from the account's recent runs of the function, else the prompts' size) and the credits available now.",
        body: estimateBody,
        response: { 200: estimateAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const estimate = await estimateStart(app.prisma, body.function, {
        accountId: request.accountId,
        ids: body.ids,
        sectorId: body.sector_id,
        promptOverride: body.prompt_override,
      });
      return { success: true as const, ...estimate };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/cancel/',
    {
      schema: {
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: z.object({ success: z.literal(true), task_id: z.string(), message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      await cancelTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: request.params.task_id, message: 'Cancellation requested' };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/retry/',
    {
      // A retry starts a paid run like a start does, and counts with the starts.
      config: { startsTask: true },
      schema: {
        tags: ['tasks'],
        description: 'A task is retried once: a repeated or concurrent retry answers the task_id of that retry.',
        params: taskIdParams,
        response: {
          200: z.object({ success: z.literal(true), task_id: z.string(), retry_of: z.string(), message: z.string() }),
          ...startErrorResponses,
        },
      },
    },
    async (request) => {
      const retry = await retryTask(app, request.accountId, request.params.task_id);
      const message = retry.started ? 'Retry started' : 'Already retried: this is the task the first retry started';
      return { success: true as const, task_id: retry.taskId, retry_of: request.params.task_id, message };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/reset/',
    {
      schema: {
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: z.object({ success: z.literal(true), task_id: z.string(), run_id: z.string(), message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const runId = await resetTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: request.params.task_id, run_id: runId, message: 'Reset to before the failed step' };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/reparse/',
    {
      schema: {
        tags: ['tasks'],
        description:
          'Runs the parse and save of a task that failed at PARSE or SAVE again, on the answers already stored and with the code and settings of now, without asking the provider again (409 for any other task).',
        params: taskIdParams,
        response: { 200: z.object({ success: z.literal(true), task_id: z.string(), run_id: z.string(), message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const runId = await reparseTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: request.params.task_id, run_id: runId, message: 'Re-parsing the stored answers' };
    },
  );
};
