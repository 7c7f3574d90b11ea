import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AI_FUNCTIONS, type FunctionName } from '../../functions';
import { RUN_STATUSES } from '../../pipeline/run-status';
import { errorResponses, listResponse, paginationQuery } from '../schemas';
import { listPage, queryFlag } from '../services/list-page';

const FUNCTION_NAMES = AI_FUNCTIONS.map((f) => f.name) as [FunctionName, ...FunctionName[]];

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
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  request_steps: z.array(z.unknown()).optional(),
  response_steps: z.array(z.unknown()).optional(),
});

const aiTaskLogQuery = paginationQuery.omit({ ids: true }).extend({
  status: z.enum(RUN_STATUSES).optional(),
  function_name: z.enum(FUNCTION_NAMES).optional(),
  include_steps: queryFlag,
});

/** Stored step logs read as lists, whatever an older row holds. */
function asSteps(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The account's run records, newest first: what ran, how it ended, what it cost. The step
 * logs are the bulk of a row, so a list carries them only when asked (`include_steps=true`).
 */
export const aiTaskLogRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/system/ai-task-logs/',
    { schema: { tags: ['system'], querystring: aiTaskLogQuery, response: { 200: listResponse(aiTaskLogView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.aITaskLog,
        { accountId: request.accountId, status: q.status, functionName: q.function_name },
        q,
        // (account_id, created_at DESC) is indexed; the id breaks ties so pages never overlap.
        { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], omit: { requestSteps: !q.include_steps, responseSteps: !q.include_steps } },
      );
      return {
        success: true as const,
        count,
        results: rows.map((log) => ({
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
          created_at: log.createdAt.toISOString(),
          started_at: log.startedAt?.toISOString() ?? null,
          finished_at: log.finishedAt?.toISOString() ?? null,
          ...(q.include_steps ? { request_steps: asSteps(log.requestSteps), response_steps: asSteps(log.responseSteps) } : {}),
        })),
      };
    },
  );
};
