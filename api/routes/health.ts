import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const healthResponse = z.object({
  success: z.boolean(),
  database: z.enum(['ok', 'unreachable']),
  temporal: z.enum(['ok', 'unreachable']),
  error: z.string().optional(),
  request_id: z.string().optional(),
});

const liveResponse = z.object({ success: z.literal(true) });

/**
 * `GET /api/v1/health/live/` (no auth): 200 while the process serves requests, asking nothing of
 * its dependencies (a liveness probe; `/api/v1/health/` is the readiness probe).
 * `GET /api/v1/health/` (no auth): 200 when PostgreSQL and Temporal answer, 503 naming what is down. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/v1/health/live/', { config: { public: true }, schema: { tags: ['system'], response: { 200: liveResponse } } }, async () => ({
    success: true as const,
  }));
  app.get(
    '/api/v1/health/',
    { config: { public: true }, schema: { tags: ['system'], response: { 200: healthResponse, 503: healthResponse } } },
    async (request, reply) => {
      const [database, temporal] = await Promise.all([
        probe(() => app.prisma.$queryRaw`SELECT 1`),
        probe(() => app.temporal.withDeadline(Date.now() + 3000, () => app.temporal.workflowService.getSystemInfo({}))),
      ]);
      const down = [database === 'ok' ? '' : 'database', temporal === 'ok' ? '' : 'Temporal'].filter(Boolean);
      if (down.length === 0) return reply.status(200).send({ success: true, database, temporal });
      return reply.status(503).send({ success: false, database, temporal, error: `Unreachable: ${down.join(' and ')}`, request_id: request.id });
    },
  );
};

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  try {
    await check();
    return 'ok';
  } catch {
    return 'unreachable';
  }
}
