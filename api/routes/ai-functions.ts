import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AI_FUNCTIONS } from '../../functions';
import { positiveId, startBody, startErrorResponses, taskStartedResponse } from '../schemas';
import { checkSectorOfIds, checkStartIds } from '../services/owned-ids';
import { startTask } from '../services/start-task';
import { idempotentRequest } from '../services/idempotency';
import { resolveSector } from '../services/sectors';

const startBodyWithSector = startBody.extend({ sector_id: positiveId.optional() });

/** Each AI function's start endpoint, from its definition: check the input, start the workflow, answer its task id. */
export const aiFunctionRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const definition of AI_FUNCTIONS) {
    app.post(
      definition.start.path,
      {
        config: { startsTask: true },
        schema: {
          tags: ['ai functions'],
          summary: `Start ${definition.name} (${definition.displayName})`,
          description: `${definition.description} At most ${definition.maxItems} ids.`,
          body: definition.start.takesSectorId ? startBodyWithSector : startBody,
          response: { 200: taskStartedResponse, ...startErrorResponses },
        },
      },
      async (request) => {
        const body: { ids: number[]; prompt_override?: string; sector_id?: number } = request.body;
        await checkStartIds(app.prisma, request.accountId, definition, body.ids);
        if (body.sector_id !== undefined) {
          await resolveSector(app.prisma, request.accountId, body.sector_id);
          await checkSectorOfIds(app.prisma, request.accountId, definition, body.ids, body.sector_id);
        }
        const idempotency = idempotentRequest(request.headers['idempotency-key'], definition.name, body);
        const taskId = await startTask(
          app,
          definition,
          { accountId: request.accountId, ids: body.ids, sectorId: body.sector_id, promptOverride: body.prompt_override },
          { idempotency, requestId: request.id },
        );
        return { success: true as const, task_id: taskId, message: definition.startedMessage };
      },
    );
  }
};
