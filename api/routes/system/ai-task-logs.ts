import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RUN_STATUSES } from '../../../pipeline/run-status';
import { errorResponses, listResponse, paginationQuery, queryFlag } from '../../schemas';
import { aiTaskLogView, toAiTaskLogView } from '../../views/ai-task-logs';
import { listPage } from '../../services/list-page';
import { FUNCTION_NAMES, sinceSchema } from '../../services/task-selection';
import { PHASES } from '../../../pipeline/phases';

const aiTaskLogQuery = paginationQuery.omit({ ids: true }).extend({
  status: z.enum(RUN_STATUSES).optional(),
  function_name: z.enum(FUNCTION_NAMES).optional(),
  /** The phase an ended run stopped in (a run record keeps INIT until its run ends). */
  phase: z.enum(PHASES).optional(),
  /** Runs created since: `2h`, `30m`, `7d` or an ISO 8601 date-time. */
  since: sinceSchema.optional(),
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
        { accountId: request.accountId, status: q.status, functionName: q.function_name, phase: q.phase, createdAt: q.since ? { gte: q.since } : undefined },
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
