import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createdResponse, errorResponses, int4, paginationQuery, positiveId, textFilter } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { resolveSector } from '../../services/sectors';
import { ConflictError } from '../../errors';
import { listPage } from '../../services/list-page';
import { keywordView, toKeywordView } from '../../views/keywords';

const keywordInput = z.object({
  keyword: z.string().trim().min(1, 'keyword must not be empty').max(255),
  volume: int4.min(0).default(0),
  difficulty: int4.min(0).max(100).default(0),
  intent: z.string().trim().min(1).max(50).default('informational'),
  seed_keyword: z.string().trim().min(1).max(255).nullish(),
  volume_override: int4.min(0).nullish(),
  difficulty_override: int4.min(0).max(100).nullish(),
});

const createKeywordsBody = z.object({
  keywords: z.array(keywordInput).min(1, 'keywords must hold at least one keyword').max(1000),
  sector_id: positiveId.optional(),
});

const keywordOrdering = orderingParam({
  id: 'id',
  keyword: 'keyword',
  volume: 'volume',
  difficulty: 'difficulty',
  intent: 'intent',
  status: 'status',
  created_at: 'createdAt',
});

const keywordQuery = paginationQuery.extend({
  cluster_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: textFilter.optional(),
  search: searchParam,
  ordering: keywordOrdering,
});

/** Planner keywords: bulk create and list (one keyword's routes: keyword-row.ts). */
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
        data: keywords.map((k) => ({
          keyword: k.keyword,
          volume: k.volume,
          difficulty: k.difficulty,
          intent: k.intent,
          seedKeyword: k.seed_keyword ?? null,
          volumeOverride: k.volume_override ?? null,
          difficultyOverride: k.difficulty_override ?? null,
          accountId: request.accountId,
          siteId: sector.siteId,
          sectorId: sector.id,
        })),
        select: { id: true },
      });
      return { success: true as const, ids: rows.map((r) => r.id) };
    },
  );

  app.get(
    '/api/v1/planner/keywords/',
    { schema: { tags: ['planner'], querystring: keywordQuery, response: { 200: pageResponse(keywordView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.keyword,
        { accountId: request.accountId, clusterId: q.cluster_id, sectorId: q.sector_id, status: q.status, keyword: containsText(q.search) },
        q,
        { orderBy: q.ordering },
      );
      return {
        success: true as const,
        count,
        ...pageLinks(request, count, q),
        results: rows.map(toKeywordView),
      };
    },
  );
};
