import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, listResponse, paginationQuery, positiveId } from '../../schemas';
import { listPage } from '../../services/list-page';
import { imageView, toImageView } from '../../views/images';

const imageQuery = paginationQuery.extend({
  content_id: positiveId.optional(),
  task_id: positiveId.optional(),
  status: z.enum(['pending', 'generated', 'failed']).optional(),
});

/** Writer images: list, the rows generate_image_prompts writes and generate_images fills. */
export const imageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/writer/images/',
    { schema: { tags: ['writer'], querystring: imageQuery, response: { 200: listResponse(imageView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.image,
        { accountId: request.accountId, contentId: q.content_id, taskId: q.task_id, status: q.status },
        q,
        // A content's images read in article order: featured first, then by position and variant.
        { orderBy: [{ contentId: 'asc' }, { position: 'asc' }, { imageType: 'asc' }, { id: 'asc' }] },
      );
      return {
        success: true as const,
        count,
        results: rows.map(toImageView),
      };
    },
  );
};
