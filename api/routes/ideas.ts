import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, listResponse, paginationQuery, positiveId } from '../schemas';
import { listPage } from '../services/list-page';

export const ideaView = z.object({
  id: z.number().int(),
  idea_title: z.string(),
  /** The outline: plain text, or the JSON text of the model's outline object. */
  description: z.string(),
  content_type: z.string(),
  content_structure: z.string(),
  target_keywords: z.string(),
  estimated_word_count: z.number().int(),
  status: z.string(),
  cluster_id: z.number().int().nullable(),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
});

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
        results: rows.map((i) => ({
          id: i.id,
          idea_title: i.ideaTitle,
          description: i.description,
          content_type: i.contentType,
          content_structure: i.contentStructure,
          target_keywords: i.targetKeywords,
          estimated_word_count: i.estimatedWordCount,
          status: i.status,
          cluster_id: i.clusterId,
          site_id: i.siteId,
          sector_id: i.sectorId,
          created_at: i.createdAt.toISOString(),
        })),
      };
    },
  );
};
