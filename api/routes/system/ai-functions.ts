import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AI_FUNCTIONS } from '../../../functions';
import { errorResponses, listResponse } from '../../schemas';
import { aiFunctionView, toAiFunctionView } from '../../views/ai-functions';

/**
 * Every AI function as its definition describes it: names, limits, start endpoint, input rows and
 * phases. A frontend builds its start buttons from this list rather than from a copy of it.
 */
export const aiFunctionListRoutes: FastifyPluginAsyncZod = async (app) => {
  const results = AI_FUNCTIONS.map(toAiFunctionView);
  app.get(
    '/api/v1/system/ai-functions/',
    {
      schema: {
        tags: ['system'],
        summary: 'The AI functions: names, display names, limits, start endpoints, input rows and phases',
        response: { 200: listResponse(aiFunctionView), ...errorResponses },
      },
    },
    async () => ({ success: true as const, count: results.length, results }),
  );
};
