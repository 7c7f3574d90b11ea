import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AI_FUNCTIONS, type FunctionName } from '../../../functions';
import { RUN_STATUSES } from '../../../pipeline/run-status';
import { errorResponses, listResponse, paginationQuery, queryFlag } from '../../schemas';
import { aiTaskLogView, toAiTaskLogView } from '../../views/ai-task-logs';
import { listPage } from '../../services/list-page';

const FUNCTION_NAMES = AI_FUNCTIONS.map((f) => f.name) as [FunctionName, ...FunctionName[]];

const aiTaskLogQuery = paginationQuery.omit({ ids: true }).extend({
  status: z.enum(RUN_STATUSES).optional(),
  function_name: z.enum(FUNCTION_NAMES).optional(),
  include_steps: queryFlag,
});

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
        results: rows.map((log) => toAiTaskLogView(log, q.include_steps)),
      };
    },
  );
};
