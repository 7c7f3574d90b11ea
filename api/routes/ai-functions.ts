import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { autoCluster, generateContent, generateIdeas, generateImagePrompts, generateImages, type AIFunctionDefinition } from '../../pipeline/definition';
import { errorResponses, positiveId, startBody, taskStartedResponse } from '../schemas';
import { checkStartIds } from '../services/owned-ids';
import { startTask } from '../services/start-task';
import { idempotentRequest } from '../services/idempotency';
import { resolveSector } from '../services/sectors';

interface StartEndpoint {
  path: string;
  definition: AIFunctionDefinition;
  body: z.ZodType<z.infer<typeof startBody> & { sector_id?: number }>;
}

/** The start endpoint of each AI function: check input, start the workflow, answer its task id. */
const START_ENDPOINTS: StartEndpoint[] = [
  {
    path: '/api/v1/planner/keywords/auto_cluster/',
    definition: autoCluster,
    body: startBody.extend({ sector_id: positiveId.optional() }),
  },
  { path: '/api/v1/planner/clusters/auto_generate_ideas/', definition: generateIdeas, body: startBody },
  { path: '/api/v1/writer/tasks/auto_generate_content/', definition: generateContent, body: startBody },
  { path: '/api/v1/writer/content/generate_image_prompts/', definition: generateImagePrompts, body: startBody },
  { path: '/api/v1/writer/images/generate_images/', definition: generateImages, body: startBody },
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
        const body = request.body;
        const { definition } = endpoint;
        await checkStartIds(app.prisma, request.accountId, definition, body.ids);
        if (body.sector_id !== undefined) await resolveSector(app.prisma, request.accountId, body.sector_id);
        const idempotency = idempotentRequest(request.headers['idempotency-key'], definition.name, body);
        const taskId = await startTask(
          app,
          definition,
          { accountId: request.accountId, ids: body.ids, sectorId: body.sector_id, promptOverride: body.prompt_override },
          { idempotency },
        );
        return { success: true as const, task_id: taskId, message: definition.startedMessage };
      },
    );
  }
};
