import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PrismaClient } from '../../../db/client';
import { createdResponse, errorResponses, paginationQuery, positiveId, textFilter } from '../../schemas';
import { containsText, orderingParam, pageLinks, pageResponse, searchParam } from '../../list-query';
import { resolveSector } from '../../services/sectors';
import { listPage } from '../../services/list-page';
import { NotFoundError } from '../../errors';
import { toWriterTaskView, writerTaskView } from '../../views/writer-tasks';

/** A task's keywords are stored as one comma-separated string; a list is accepted and joined. */
export const taskKeywords = z
  .union([z.string().max(5_000), z.array(z.string().trim().min(1).max(255)).max(200)])
  .transform((k) => (Array.isArray(k) ? k.join(', ') : k.trim()));

const taskInput = z.object({
  title: z.string().trim().min(1, 'title must not be empty').max(255),
  description: z.string().max(50_000).default(''),
  keywords: taskKeywords.default(''),
  cluster_id: positiveId.nullish(),
  idea_id: positiveId.nullish(),
  content_type: z.string().trim().min(1).max(50).default('blog_post'),
  content_structure: z.string().trim().min(1).max(50).default('supporting_page'),
  prompt_override: z.string().max(50_000).nullish(),
  meta_title: z.string().trim().max(255).nullish(),
  meta_description: z.string().trim().max(1_000).nullish(),
});

const createTasksBody = z.object({
  tasks: z.array(taskInput).min(1, 'tasks must hold at least one task').max(500),
  sector_id: positiveId.optional(),
});

const taskQuery = paginationQuery.extend({
  cluster_id: positiveId.optional(),
  idea_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: textFilter.optional(),
  search: searchParam,
  ordering: orderingParam({ id: 'id', title: 'title', status: 'status', created_at: 'createdAt' }),
});

/**
 * The clusters and ideas the tasks name, checked to be the caller's (another account's reads as
 * unknown: 404 listing them); an idea's cluster is returned for tasks that name only the idea.
 */
async function ownedReferences(prisma: PrismaClient, accountId: number, tasks: z.infer<typeof taskInput>[]) {
  const clusterIds = [...new Set(tasks.map((t) => t.cluster_id).filter((id): id is number => id != null))];
  const ideaIds = [...new Set(tasks.map((t) => t.idea_id).filter((id): id is number => id != null))];
  const [clusters, ideas] = await Promise.all([
    clusterIds.length ? prisma.cluster.findMany({ where: { accountId, id: { in: clusterIds } }, select: { id: true } }) : [],
    ideaIds.length ? prisma.contentIdea.findMany({ where: { accountId, id: { in: ideaIds } }, select: { id: true, clusterId: true } }) : [],
  ]);
  const ownedClusters = new Set(clusters.map((c) => c.id));
  const ideaCluster = new Map(ideas.map((i) => [i.id, i.clusterId]));
  const problems = [
    listMissing('Clusters', clusterIds.filter((id) => !ownedClusters.has(id))),
    listMissing('Ideas', ideaIds.filter((id) => !ideaCluster.has(id))),
  ].filter(Boolean);
  if (problems.length) throw new NotFoundError(problems.join(' '));
  return ideaCluster;
}

function listMissing(noun: string, ids: number[]): string {
  return ids.length ? `${noun} not found: ${ids.join(', ')}.` : '';
}

/** Writer tasks: the briefs generate_content writes articles from. */
export const writerTaskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/writer/tasks/',
    { schema: { tags: ['writer'], body: createTasksBody, response: { 200: createdResponse, ...errorResponses } } },
    async (request) => {
      const { tasks, sector_id } = request.body;
      const ideaCluster = await ownedReferences(app.prisma, request.accountId, tasks);
      const sector = await resolveSector(app.prisma, request.accountId, sector_id);
      const rows = await app.prisma.writerTask.createManyAndReturn({
        data: tasks.map((t) => ({
          accountId: request.accountId,
          siteId: sector.siteId,
          sectorId: sector.id,
          clusterId: t.cluster_id ?? (t.idea_id != null ? ideaCluster.get(t.idea_id) : null) ?? null,
          ideaId: t.idea_id ?? null,
          title: t.title,
          description: t.description,
          keywords: t.keywords,
          contentType: t.content_type,
          contentStructure: t.content_structure,
          promptOverride: t.prompt_override ?? null,
          metaTitle: t.meta_title || null,
          metaDescription: t.meta_description || null,
        })),
        select: { id: true },
      });
      // One INSERT numbers its rows in order, so ascending ids follow the request's order.
      return { success: true as const, ids: rows.map((r) => r.id).sort((a, b) => a - b) };
    },
  );

  app.get(
    '/api/v1/writer/tasks/',
    { schema: { tags: ['writer'], querystring: taskQuery, response: { 200: pageResponse(writerTaskView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(
        app.prisma.writerTask,
        { accountId: request.accountId, clusterId: q.cluster_id, ideaId: q.idea_id, sectorId: q.sector_id, status: q.status, title: containsText(q.search) },
        q,
        { orderBy: q.ordering },
      );
      return {
        success: true as const,
        count,
        ...pageLinks(request, count, q),
        results: rows.map(toWriterTaskView),
      };
    },
  );
};
