import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, taskIdParams } from '../../schemas';
import { cancelTask, resetTask, retryTask } from '../../services/task-control';

/** Operator actions on a run: cancel, retry with the same input, reset a failed run. */
export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/system/tasks/:task_id/cancel/',
    {
      schema: {
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: z.object({ success: z.literal(true), task_id: z.string(), message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      await cancelTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: request.params.task_id, message: 'Cancellation requested' };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/retry/',
    {
      schema: {
        tags: ['tasks'],
        params: taskIdParams,
        response: {
          200: z.object({ success: z.literal(true), task_id: z.string(), retry_of: z.string(), message: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const taskId = await retryTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: taskId, retry_of: request.params.task_id, message: 'Retry started' };
    },
  );

  app.post(
    '/api/v1/system/tasks/:task_id/reset/',
    {
      schema: {
        tags: ['tasks'],
        params: taskIdParams,
        response: { 200: z.object({ success: z.literal(true), task_id: z.string(), run_id: z.string(), message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const runId = await resetTask(app, request.accountId, request.params.task_id);
      return { success: true as const, task_id: request.params.task_id, run_id: runId, message: 'Reset to before the failed step' };
    },
  );
};
