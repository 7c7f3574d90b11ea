import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, listResponse, paginationQuery, positiveId } from '../../schemas';
import { listPage } from '../../services/list-page';
import { clusterView, toClusterView } from '../../views/clusters';

const clusterQuery = paginationQuery.extend({ sector_id: positiveId.optional(), status: z.string().optional() });

/** Planner clusters: list. */
export const clusterRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/planner/clusters/',
    { schema: { tags: ['planner'], querystring: clusterQuery, response: { 200: listResponse(clusterView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.cluster,
        { accountId: request.accountId, sectorId: q.sector_id, status: q.status },
        q,
        { orderBy: { id: 'asc' } },
      );
      return {
        success: true as const,
        count,
        results: rows.map(toClusterView),
      };
    },
  );
};
