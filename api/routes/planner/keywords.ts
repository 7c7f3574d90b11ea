import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createdResponse, errorResponses, listResponse, paginationQuery, positiveId } from '../../schemas';
import { resolveSector } from '../../services/sectors';
import { ConflictError } from '../../errors';
import { listPage } from '../../services/list-page';
import { keywordView, toKeywordView } from '../../views/keywords';

const keywordInput = z.object({
  keyword: z.string().trim().min(1, 'keyword must not be empty').max(255),
  volume: z.number().int().min(0).default(0),
  difficulty: z.number().int().min(0).max(100).default(0),
  intent: z.string().trim().min(1).max(50).default('informational'),
});

const createKeywordsBody = z.object({
  keywords: z.array(keywordInput).min(1, 'keywords must hold at least one keyword').max(1000),
  sector_id: positiveId.optional(),
});

const keywordQuery = paginationQuery.extend({
  cluster_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: z.string().optional(),
});

/** Planner keywords: bulk create and list. */
export const keywordRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/planner/keywords/',
    { schema: { tags: ['planner'], body: createKeywordsBody, response: { 200: createdResponse, ...errorResponses } } },
    async (request) => {
      const { keywords, sector_id } = request.body;
      const sector = await resolveSector(app.prisma, request.accountId, sector_id);
      const texts = keywords.map((k) => k.keyword);
      const repeated = texts.filter((t, i) => texts.indexOf(t) !== i);
      if (repeated.length) throw new ConflictError(`Keywords repeated in the request: ${[...new Set(repeated)].join(', ')}.`);
      const existing = await app.prisma.keyword.findMany({
        where: { sectorId: sector.id, keyword: { in: texts } },
        select: { keyword: true },
      });
      if (existing.length) {
        throw new ConflictError(`Keywords already exist in sector ${sector.id}: ${existing.map((k) => k.keyword).join(', ')}.`);
      }
      const rows = await app.prisma.keyword.createManyAndReturn({
        data: keywords.map((k) => ({ ...k, accountId: request.accountId, siteId: sector.siteId, sectorId: sector.id })),
        select: { id: true },
      });
      return { success: true as const, ids: rows.map((r) => r.id) };
    },
  );

  app.get(
    '/api/v1/planner/keywords/',
    { schema: { tags: ['planner'], querystring: keywordQuery, response: { 200: listResponse(keywordView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.keyword,
        { accountId: request.accountId, clusterId: q.cluster_id, sectorId: q.sector_id, status: q.status },
        q,
        { orderBy: { id: 'asc' } },
      );
      return {
        success: true as const,
        count,
        results: rows.map(toKeywordView),
      };
    },
  );
};
