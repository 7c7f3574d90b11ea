import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOfAuthorization } from '../../plugins/auth';
import { BadRequestError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '../../errors';
import { errorResponses, taskIdParams } from '../../schemas';
import { TaskEventHub } from '../../live-progress/event-hub';
import { SSE_HEADERS, TaskStreams } from '../../live-progress/task-stream';
import type { StreamTokens } from '../../live-progress/stream-token';

export interface TaskStreamRouteOptions {
  streamTokens: StreamTokens;
  /** The database the LISTEN connection opens; without it the stream answers 503. */
  databaseUrl?: string;
  keepAliveMs?: number;
}

const DEFAULT_KEEP_ALIVE_MS = 15_000;

const eventId = z.string().regex(/^\d+$/, 'an event id of this stream (a number)');

/**
 * `GET /api/v1/system/settings/task_progress/{task_id}/stream/`: the progress modal's
 * data pushed as Server-Sent Events — `progress` (the polling answer at every change), `text` (an
 * article as the provider writes it) and `done` (the final polling answer), after which the stream
 * ends. Authenticated by the API key or, for a browser `EventSource` that cannot send headers, by
 * the `token` of the polling answer's `stream_url`.
 */
export const taskStreamRoutes: FastifyPluginAsyncZod<TaskStreamRouteOptions> = async (app, options) => {
  const hub = options.databaseUrl ? new TaskEventHub(options.databaseUrl, app.prisma, app.log) : undefined;
  const streams = hub
    ? new TaskStreams({
        prisma: app.prisma,
        hub,
        progress: app.taskProgress,
        log: app.log,
        keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
      })
    : undefined;
  // Open streams would keep the server from closing: they end first, then the LISTEN connection.
  app.addHook('preClose', async () => streams?.endAll());
  app.addHook('onClose', async () => hub?.close());

  app.get(
    '/api/v1/system/settings/task_progress/:task_id/stream/',
    {
      // Authenticated here: by API key or by stream token.
      config: { public: true },
      schema: {
        tags: ['system'],
        description:
          'Server-Sent Events: `progress`, `text` and `done` (then the stream ends); `: keep-alive` comments. ' +
          'Send `Authorization: Bearer <api_key>` or `?token=` from the polling answer\'s `stream_url`. ' +
          'Resume with the `Last-Event-ID` header (or `lastEventId`); a client that has seen the end gets 204.',
        params: taskIdParams,
        querystring: z.object({ token: z.string().max(1000).optional(), lastEventId: eventId.optional() }),
        response: { 200: z.string().describe('text/event-stream'), 204: z.null().describe('the client has seen the end'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { task_id: taskId } = request.params;
      const accountId = request.headers.authorization
        ? await accountOfAuthorization(app.prisma, request.headers.authorization)
        : request.query.token
          ? options.streamTokens.verify(request.query.token, taskId)
          : unauthenticated();
      const run = await app.prisma.aITaskLog.findFirst({ where: { taskId, accountId }, select: { id: true } });
      if (!run) throw new NotFoundError(`Task ${taskId} not found.`);
      if (!streams) throw new ServiceUnavailableError('Live progress is not configured on this API (no database URL); poll the progress endpoint.');

      const stream = await streams.open(accountId, taskId, lastEventId(request.headers['last-event-id'], request.query.lastEventId));
      try {
        if (await stream.seenTheEnd()) {
          stream.end();
          return reply.code(204).send(null);
        }
      } catch (err) {
        stream.end();
        throw err;
      }
      reply.hijack();
      // Headers set by hooks (CORS) are sent too: a hijacked reply skips Fastify's sending.
      reply.raw.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...SSE_HEADERS });
      reply.raw.flushHeaders();
      stream.start(reply.raw);
    },
  );
};

function unauthenticated(): never {
  throw new UnauthorizedError(
    'Send "Authorization: Bearer <api_key>", or open the stream_url of the progress answer (it carries a token).',
  );
}

function lastEventId(header: string | string[] | undefined, query: string | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header) ?? query;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new BadRequestError('Last-Event-ID must be an event id of this stream (a number).');
  return Number(value);
}
