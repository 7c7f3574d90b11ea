import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, paginationQuery, positiveId, textFilter } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { listPage } from '../../services/list-page';
import { clusterView, toClusterView } from '../../views/clusters';

const clusterQuery = paginationQuery.extend({
  sector_id: positiveId.optional(),
  status: textFilter.optional(),
  search: searchParam,
  ordering: orderingParam({ id: 'id', name: 'name', keywords_count: 'keywordsCount', volume: 'volume', status: 'status', created_at: 'createdAt' }),
});

/** Planner clusters: list (one cluster's routes: cluster-row.ts). */
export const clusterRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/planner/clusters/',
    { schema: { tags: ['planner'], querystring: clusterQuery, response: { 200: pageResponse(clusterView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.cluster,
        { accountId: request.accountId, sectorId: q.sector_id, status: q.status, name: containsText(q.search) },
        q,
        { orderBy: q.ordering },
      );
      return {
        success: true as const,
        count,
        ...pageLinks(request, count, q),
        results: rows.map(toClusterView),
      };
    },
  );
};
