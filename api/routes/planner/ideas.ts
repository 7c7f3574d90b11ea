import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, listResponse, paginationQuery, positiveId } from '../../schemas';
import { listPage } from '../../services/list-page';
import { ideaView, toIdeaView } from '../../views/ideas';

const ideaQuery = paginationQuery.extend({ cluster_id: positiveId.optional(), status: z.string().optional() });

/** Planner content ideas: list, what generate_ideas created and writer tasks are made from. */
export const ideaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/planner/ideas/',
    { schema: { tags: ['planner'], querystring: ideaQuery, response: { 200: listResponse(ideaView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.contentIdea,
        { accountId: request.accountId, clusterId: q.cluster_id, status: q.status },
        q,
        { orderBy: { id: 'asc' } },
      );
      return {
        success: true as const,
        count,
        results: rows.map(toIdeaView),
      };
    },
  );
};
