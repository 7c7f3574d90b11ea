import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { taskProgressSchema, TERMINAL_STATES } from '../../../pipeline/progress';
import { errorResponses, taskIdParams } from '../../schemas';
import { streamPath, type StreamTokens } from '../../live-progress/stream-token';

const pollingAnswer = taskProgressSchema.extend({
  stream_url: z
    .string()
    .optional()
    .describe('While the task has not ended: its live progress stream, with a token valid for about 10 minutes (for EventSource).'),
});

/**
 * `GET /api/v1/system/settings/task_progress/{task_id}/`: the progress modal's one source; the same
 * answer at `GET /api/v1/system/tasks/{task_id}/status/`, the path older frontends poll.
 */
export const taskProgressRoutes: FastifyPluginAsyncZod<{ streamTokens: StreamTokens }> = async (app, { streamTokens }) => {
  const schema = { tags: ['system'], params: taskIdParams, response: { 200: pollingAnswer, ...errorResponses } };
  const answer = async (request: { accountId: number; params: { task_id: string } }) => {
    const taskId = request.params.task_id;
    const progress = await app.taskProgress.progress(request.accountId, taskId);
    // An ended task's answer is final, with nothing left to stream, and stays the same on every poll.
    if (TERMINAL_STATES.includes(progress.state)) return progress;
    return { ...progress, stream_url: `${streamPath(taskId)}?token=${streamTokens.issue(taskId, request.accountId)}` };
  };
  app.get('/api/v1/system/settings/task_progress/:task_id/', { schema }, answer);
  app.get('/api/v1/system/tasks/:task_id/status/', { schema: { ...schema, summary: 'The same answer as task_progress (the path older frontends poll)' } }, answer);
};
