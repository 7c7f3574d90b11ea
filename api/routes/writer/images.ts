import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, paginationQuery, positiveId } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { listPage } from '../../services/list-page';
import { imageView, toImageView } from '../../views/images';

const imageQuery = paginationQuery.extend({
  content_id: positiveId.optional(),
  task_id: positiveId.optional(),
  status: z.enum(['pending', 'generated', 'failed']).optional(),
  image_type: z.enum(['featured', 'desktop', 'mobile']).optional(),
  search: searchParam,
  // A content's images read in article order unless asked otherwise: featured first, then by position and variant.
  ordering: orderingParam(
    { id: 'id', content_id: 'contentId', position: 'position', status: 'status', created_at: 'createdAt' },
    [{ contentId: 'asc' }, { position: 'asc' }, { imageType: 'asc' }, { id: 'asc' }],
  ),
});

/** Writer images: list, the rows generate_image_prompts writes and generate_images fills. */
export const imageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/writer/images/',
    { schema: { tags: ['writer'], querystring: imageQuery, response: { 200: pageResponse(imageView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.image,
        { accountId: request.accountId, contentId: q.content_id, taskId: q.task_id, status: q.status, imageType: q.image_type, prompt: containsText(q.search) },
        q,
        { orderBy: q.ordering },
      );
      return {
        success: true as const,
        count,
        ...pageLinks(request, count, q),
        results: rows.map(toImageView),
      };
    },
  );
};
