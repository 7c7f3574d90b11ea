import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentView, toContentView } from '../../views/content';
import { errorResponses, objectResponse, paginationQuery, positiveId, queryFlag, textFilter } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { NotFoundError } from '../../errors';
import { listPage } from '../../services/list-page';

const contentQuery = paginationQuery.extend({
  task_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: textFilter.optional(),
  include_html: queryFlag,
  search: searchParam,
  ordering: orderingParam({ id: 'id', title: 'title', word_count: 'wordCount', status: 'status', created_at: 'createdAt', updated_at: 'updatedAt' }),
});

const contentParams = z.object({ id: positiveId });

/** Generated articles: lists leave the HTML out unless asked; one article has it whole. */
export const contentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/writer/content/',
    { schema: { tags: ['writer'], querystring: contentQuery, response: { 200: pageResponse(contentView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      // Articles are large: without include_html the column is not even read.
      const { count, rows } = await listPage(
        app.prisma.content,
        { accountId: request.accountId, taskId: q.task_id, sectorId: q.sector_id, status: q.status, title: containsText(q.search) },
        q,
        { orderBy: q.ordering, omit: { htmlContent: !q.include_html } },
      );
      return { success: true as const, count, ...pageLinks(request, count, q), results: rows.map(toContentView) };
    },
  );

  app.get(
    '/api/v1/writer/content/:id/',
    { schema: { tags: ['writer'], params: contentParams, response: { 200: objectResponse(contentView), ...errorResponses } } },
    async (request) => {
      const content = await app.prisma.content.findFirst({ where: { id: request.params.id, accountId: request.accountId } });
      if (!content) throw new NotFoundError(`Content ${request.params.id} not found.`);
      return { success: true as const, data: toContentView(content) };
    },
  );
};
