import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountOfAuthorization } from '../../plugins/auth';
import { BadRequestError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '../../errors';
import { errorResponse, errorResponses, eventId, INT4_MAX, taskIdParams } from '../../schemas';
import { SSE_HEADERS, TaskStreams } from '../../live-progress/task-stream';
import type { StreamTokens } from '../../live-progress/stream-token';

export interface TaskStreamRouteOptions {
  streamTokens: StreamTokens;
  keepAliveMs?: number;
  /** Streams one account may have open on this process at once (20). */
  maxStreamsPerAccount?: number;
}

const DEFAULT_KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/v1/system/settings/task_progress/{task_id}/stream/`: the progress modal's
 * data pushed as Server-Sent Events — `progress` (the polling answer at every change), `text` (an
 * article as the provider writes it) and `done` (the final polling answer), after which the stream
 * ends. Authenticated by the API key or, for a browser `EventSource` that cannot send headers, by
 * the `token` of the polling answer's `stream_url`.
 */
export const taskStreamRoutes: FastifyPluginAsyncZod<TaskStreamRouteOptions> = async (app, options) => {
  const hub = app.taskEvents;
  const streams = hub
    ? new TaskStreams({
        prisma: app.prisma,
        hub,
        progress: app.taskProgress,
        log: app.log,
        keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
        maxStreamsPerAccount: options.maxStreamsPerAccount,
      })
    : undefined;
  // Open streams would keep the server from closing: they end first (the LISTEN connection closes with the app).
  app.addHook('preClose', async () => streams?.endAll());

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
          'Resume with the `Last-Event-ID` header (or `lastEventId`); a client that has seen the end gets 204. ' +
          'A stream opened with a token ends when the token expires. An account may have 20 streams open at once (429 beyond).',
        params: taskIdParams,
        querystring: z.object({ token: z.string().max(1000).optional(), lastEventId: eventId.optional() }),
        response: {
          200: z.string().describe('text/event-stream'),
          204: z.null().describe('the client has seen the end'),
          ...errorResponses,
          429: errorResponse.describe('the account has its most streams open'),
        },
      },
    },
    async (request, reply) => {
      const { task_id: taskId } = request.params;
      const { accountId, expiresAtMs } = request.headers.authorization
        ? { accountId: await accountOfAuthorization(app.prisma, request.headers.authorization, app.apiKeys), expiresAtMs: undefined }
        : request.query.token
          ? options.streamTokens.verify(request.query.token, taskId)
          : unauthenticated();
      const run = await app.prisma.aITaskLog.findFirst({ where: { taskId, accountId }, select: { id: true } });
      if (!run) throw new NotFoundError(`Task ${taskId} not found.`);
      if (!streams) throw new ServiceUnavailableError('Live progress is not configured on this API (no database URL); poll the progress endpoint.');

      const afterId = lastEventId(request.headers['last-event-id'], request.query.lastEventId);
      const stream = await streams.open({ accountId, taskId, afterId, endsAtMs: expiresAtMs });
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

/** The header wins over the query (already checked by the route's schema); both are `task_events` ids. */
function lastEventId(header: string | string[] | undefined, query: number | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return query;
  const parsed = eventId.safeParse(value);
  if (!parsed.success) throw new BadRequestError(`Last-Event-ID must be an event id of this stream (a whole number up to ${INT4_MAX}).`);
  return parsed.data;
}
