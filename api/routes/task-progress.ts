import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PHASES } from '../../pipeline/phases';
import { TERMINAL_STATES } from '../../pipeline/live-progress';
import { errorResponses } from '../schemas';
import { TaskProgressService } from '../services/task-progress';
import { streamPath, type StreamTokens } from '../services/stream-token';

const stepLog = z.object({
  stepNumber: z.number().int(),
  stepName: z.string(),
  status: z.string(),
  message: z.string(),
  duration: z.number().optional(),
  error: z.string().optional(),
});

export const taskProgressView = z.object({
  state: z.enum(['PENDING', 'PROGRESS', 'SUCCESS', 'FAILURE', 'REVOKED']),
  meta: z.object({
    phase: z.enum(PHASES),
    percentage: z.number(),
    message: z.string(),
    request_steps: z.array(stepLog),
    response_steps: z.array(stepLog),
    cost: z.number(),
    tokens: z.number().int(),
    current: z.number().int().optional(),
    total: z.number().int().optional(),
    current_item: z.string().optional(),
  }),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});

const pollingAnswer = taskProgressView.extend({
  stream_url: z
    .string()
    .optional()
    .describe('While the task has not ended: its live progress stream, with a token valid for about 10 minutes (for EventSource).'),
});

/** `GET /api/v1/system/settings/task_progress/{task_id}/`: the progress modal's one source. */
export const taskProgressRoutes: FastifyPluginAsyncZod<{ streamTokens: StreamTokens }> = async (app, { streamTokens }) => {
  const service = new TaskProgressService(app.prisma, app.temporal);
  app.get(
    '/api/v1/system/settings/task_progress/:task_id/',
    {
      schema: {
        tags: ['system'],
        params: z.object({ task_id: z.string().min(1).max(200) }),
        response: { 200: pollingAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const taskId = request.params.task_id;
      const progress = await service.progress(request.accountId, taskId);
      // An ended task's answer is final, with nothing left to stream, and stays the same on every poll.
      if (TERMINAL_STATES.includes(progress.state)) return progress;
      return { ...progress, stream_url: `${streamPath(taskId)}?token=${streamTokens.issue(taskId, request.accountId)}` };
    },
  );
};
