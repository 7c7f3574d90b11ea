import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, paginationQuery, positiveId, textFilter } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { listPage } from '../../services/list-page';
import { ideaView, toIdeaView } from '../../views/ideas';

const ideaQuery = paginationQuery.extend({
  cluster_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: textFilter.optional(),
  search: searchParam,
  ordering: orderingParam({ id: 'id', idea_title: 'ideaTitle', estimated_word_count: 'estimatedWordCount', status: 'status', created_at: 'createdAt' }),
});

/** Planner content ideas: list, what generate_ideas created and writer tasks are made from. */
export const ideaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/planner/ideas/',
    { schema: { tags: ['planner'], querystring: ideaQuery, response: { 200: pageResponse(ideaView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.contentIdea,
        { accountId: request.accountId, clusterId: q.cluster_id, sectorId: q.sector_id, status: q.status, ideaTitle: containsText(q.search) },
        q,
        { orderBy: q.ordering },
      );
      return {
        success: true as const,
        count,
        ...pageLinks(request, count, q),
        results: rows.map(toIdeaView),
      };
    },
  );
};
