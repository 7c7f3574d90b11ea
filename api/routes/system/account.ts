import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { creditState } from '../../../activities/credits';
import { errorResponses, listResponse, paginationQuery } from '../../schemas';
import { listPage } from '../../services/list-page';
import { creditMovementView, toCreditMovementView } from '../../views/credit-usage';

const accountView = z.object({
  success: z.literal(true),
  account_id: z.number().int(),
  name: z.string(),
  credits: z.object({ balance: z.number().int(), reserved: z.number().int(), available: z.number().int() }),
  limits: z.object({ max_concurrent_ai_calls: z.number().int() }),
});

const creditUsageQuery = paginationQuery.omit({ ids: true }).extend({ task_id: z.string().min(1).max(100).optional() });

/**
 * The calling account: its credits (balance, what running AI calls hold, what is left) and its
 * limits; and its credit ledger, newest first.
 */
export const accountRoutes: FastifyPluginAsyncZod<{ defaultMaxConcurrentAiCalls: number }> = async (app, { defaultMaxConcurrentAiCalls }) => {
  app.get('/api/v1/system/account/', { schema: { tags: ['system'], response: { 200: accountView, ...errorResponses } } }, async (request) => {
    const account = await app.prisma.account.findUniqueOrThrow({ where: { id: request.accountId }, select: { id: true, name: true, maxConcurrentAiCalls: true } });
    return {
      success: true as const,
      account_id: account.id,
      name: account.name,
      credits: await creditState(app.prisma, account.id),
      limits: { max_concurrent_ai_calls: account.maxConcurrentAiCalls ?? defaultMaxConcurrentAiCalls },
    };
  });

  app.get(
    '/api/v1/system/credit-usage/',
    { schema: { tags: ['system'], querystring: creditUsageQuery, response: { 200: listResponse(creditMovementView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(app.prisma.creditUsageLog, { accountId: request.accountId, taskId: q.task_id }, q, {
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      return { success: true as const, count, results: rows.map(toCreditMovementView) };
    },
  );
};
