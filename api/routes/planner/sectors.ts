import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Prisma, type PrismaClient } from '../../../db/client';
import { createdResponse, errorResponses, listResponse, paginationQuery, positiveId } from '../../schemas';
import { ConflictError, NotFoundError } from '../../errors';
import { listPage } from '../../services/list-page';
import { sectorView, toSectorView } from '../../views/sectors';

const createSectorBody = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(255),
  site_id: positiveId.optional(),
});

const sectorQuery = paginationQuery.extend({ site_id: positiveId.optional() });

/** The site a new sector goes to: the one named, if it is the caller's, or the account's first. */
async function resolveSite(prisma: PrismaClient, accountId: number, siteId?: number) {
  const site = await prisma.site.findFirst({ where: { accountId, ...(siteId ? { id: siteId } : {}) }, orderBy: { id: 'asc' } });
  if (!site) throw new NotFoundError(siteId ? `Site ${siteId} not found.` : 'This account has no site.');
  return site;
}

/**
 * Planner sectors: what keywords, clusters and writer tasks are filed under. Every
 * account starts with a default site and sector; more sectors make `sector_id` meaningful.
 */
export const sectorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/planner/sectors/',
    { schema: { tags: ['planner'], querystring: sectorQuery, response: { 200: listResponse(sectorView), ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { count, rows } = await listPage(app.prisma.sector, { accountId: request.accountId, siteId: q.site_id }, q, {
        orderBy: { id: 'asc' },
        include: { site: { select: { name: true } } },
      });
      return {
        success: true as const,
        count,
        results: rows.map(toSectorView),
      };
    },
  );

  app.post(
    '/api/v1/planner/sectors/',
    { schema: { tags: ['planner'], body: createSectorBody, response: { 200: createdResponse, ...errorResponses } } },
    async (request) => {
      const { name, site_id } = request.body;
      const site = await resolveSite(app.prisma, request.accountId, site_id);
      try {
        const sector = await app.prisma.sector.create({ data: { accountId: request.accountId, siteId: site.id, name }, select: { id: true } });
        return { success: true as const, ids: [sector.id] };
      } catch (err) {
        // The unique key (site, name) decides, so two requests at once cannot both create it.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw new ConflictError(`A sector named "${name}" already exists in site ${site.id} (${site.name}).`);
        }
        throw err;
      }
    },
  );
};
