import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { autoCluster, type AIFunctionDefinition } from '../../core/functions';
import { errorResponses, positiveId, startBody, taskStartedResponse } from '../schemas';
import { checkStartIds } from '../services/owned-ids';
import { startTask } from '../services/start-task';
import { resolveSector } from '../services/sectors';

interface StartEndpoint {
  path: string;
  definition: AIFunctionDefinition;
  body: typeof startBody | z.ZodObject<typeof startBody.shape & Record<string, z.ZodTypeAny>>;
}

/** The start endpoint of each AI function (SPEC §2/§4): check input, start the workflow, answer its task id. */
const START_ENDPOINTS: StartEndpoint[] = [
  {
    path: '/api/v1/planner/keywords/auto_cluster/',
    definition: autoCluster,
    body: startBody.extend({ sector_id: positiveId.optional() }),
  },
];

export const aiFunctionRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const endpoint of START_ENDPOINTS) {
    app.post(
      endpoint.path,
      {
        schema: {
          tags: ['ai functions'],
          summary: `Start ${endpoint.definition.name}`,
          body: endpoint.body,
          response: { 200: taskStartedResponse, ...errorResponses },
        },
      },
      async (request) => {
        const body = request.body as z.infer<typeof startBody> & { sector_id?: number };
        const { definition } = endpoint;
        await checkStartIds(app.prisma, request.accountId, definition, body.ids);
        if (body.sector_id !== undefined) await resolveSector(app.prisma, request.accountId, body.sector_id);
        const taskId = await startTask(app, definition, {
          accountId: request.accountId,
          ids: body.ids,
          sectorId: body.sector_id,
          promptOverride: body.prompt_override,
        });
        return { success: true as const, task_id: taskId, message: definition.startedMessage };
      },
    );
  }
};
