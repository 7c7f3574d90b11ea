import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Content } from '../../db/client';
import { errorResponses, listResponse, objectResponse, paginationQuery, positiveId } from '../schemas';
import { NotFoundError } from '../errors';
import { listPage, queryFlag } from '../services/list-page';

const stringList = z.array(z.string());

export const contentView = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  title: z.string(),
  meta_title: z.string(),
  meta_description: z.string(),
  word_count: z.number().int(),
  primary_keyword: z.string(),
  secondary_keywords: stringList,
  tags: stringList,
  categories: stringList,
  status: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  html_content: z.string().optional(),
});

const contentQuery = paginationQuery.extend({
  task_id: positiveId.optional(),
  sector_id: positiveId.optional(),
  status: z.string().optional(),
  include_html: queryFlag,
});

const contentParams = z.object({ id: positiveId });

/** Stored JSON lists read as lists of strings, whatever an older row holds. */
function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v) => v != null).map(String) : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function view(c: Omit<Content, 'htmlContent'> & { htmlContent?: string }): z.infer<typeof contentView> {
  return {
    id: c.id,
    task_id: c.taskId,
    title: c.title,
    meta_title: c.metaTitle,
    meta_description: c.metaDescription,
    word_count: c.wordCount,
    primary_keyword: c.primaryKeyword,
    secondary_keywords: asList(c.secondaryKeywords),
    tags: asList(c.tags),
    categories: asList(c.categories),
    status: c.status,
    metadata: asRecord(c.metadata),
    site_id: c.siteId,
    sector_id: c.sectorId,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    ...(c.htmlContent !== undefined ? { html_content: c.htmlContent } : {}),
  };
}

/** Generated articles: lists leave the HTML out unless asked; one article has it whole. */
export const contentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/writer/content/',
    { schema: { tags: ['writer'], querystring: contentQuery, response: { 200: listResponse(contentView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      // Articles are large: without include_html the column is not even read.
      const { count, rows } = await listPage(
        app.prisma.content,
        { accountId: request.accountId, taskId: q.task_id, sectorId: q.sector_id, status: q.status },
        q,
        { orderBy: { id: 'asc' }, omit: { htmlContent: !q.include_html } },
      );
      return { success: true as const, count, results: rows.map(view) };
    },
  );

  app.get(
    '/api/v1/writer/content/:id/',
    { schema: { tags: ['writer'], params: contentParams, response: { 200: objectResponse(contentView), ...errorResponses } } },
    async (request) => {
      const content = await app.prisma.content.findFirst({ where: { id: request.params.id, accountId: request.accountId } });
      if (!content) throw new NotFoundError(`Content ${request.params.id} not found.`);
      return { success: true as const, data: view(content) };
    },
  );
};
