import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { activeTracing } from '../../tracing';

/**
 * Names each request's HTTP server span after its route (`POST /api/v1/planner/keywords/auto_cluster/`,
 * `http.route`) rather than the bare method, so a task's trace opens on the route that started it.
 * Adds no hook at all when the process is not traced.
 */
export const tracingPlugin = fp(
  async (app: FastifyInstance) => {
    const tracing = activeTracing();
    if (!tracing) return;
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url;
      if (route) tracing.nameServerSpan(route);
    });
  },
  { name: 'tracing' },
);
