import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpError } from './errors';
import { isDatabaseUnavailable, isTemporalUnavailable } from './unavailable';
import { REQUEST_ID_HEADER } from './plugins/request-id';

/** Every error body: `{ "success": false, "error": "…", "request_id": "…" }`, the id also in `X-Request-Id`. */
export function errorBody(request: FastifyRequest, error: string): { success: false; error: string; request_id: string } {
  return { success: false, error, request_id: request.id };
}

/** The one mapping from errors to `{ "success": false, "error": "…", "request_id": "…" }` with the right status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = describe(error, request.method);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(errorBody(request, message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(request, `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

function describe(error: FastifyError, method: string): { status: number; message: string } {
  if (error instanceof HttpError) return { status: error.statusCode, message: error.message };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const details = error.validation
      .map((v) => {
        const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
        return `${path ? `${where}.${path}` : where}: ${v.message}`;
      })
      .join('; ');
    return { status: 400, message: `Invalid request ${details}` };
  }
  if (isResponseSerializationError(error)) return { status: 500, message: 'Internal server error' };
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: 'Request body is too large.' };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, message: 'Send the body as application/json.' };
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, message: 'The JSON body is empty.' };
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error.statusCode === 400 && error instanceof SyntaxError)) {
    return { status: 400, message: 'The body is not valid JSON.' };
  }
  if (isDatabaseUnavailable(error)) return { status: 503, message: 'The database is unreachable; try again shortly.' };
  if (isTemporalUnavailable(error)) return { status: 503, message: 'Temporal is unreachable; try again shortly.' };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: publicMessage(error.message, error.statusCode) };
  }
  void method;
  return { status: 500, message: 'Internal server error' };
}

/**
 * Stack frames (`at fn (file:1:2)`), server file paths (`/srv/app/…`, `…/x.ts`, `node:internal/…`,
 * `C:\\…`): what a library's 4xx error may carry in its message and a client must never see.
 */
const INTERNALS = /\bat\s.*:\d+:\d+|(?:^|[\s'"(=])(?:\/[\w.@+-]+){2,}|\.(?:[cm]?[jt]sx?|node)\b|node:internal|file:\/\/|[A-Za-z]:\\/;

/**
 * The message of a 4xx error raised outside the service's own code (Fastify, its plugins): its
 * first line, unless that shows internals; then the status's name (`Bad Request`).
 */
function publicMessage(message: string | undefined, status: number): string {
  const firstLine = (message ?? '').split('\n', 1)[0].trim();
  if (!firstLine || INTERNALS.test(firstLine)) return STATUS_CODES[status] ?? 'Bad Request';
  return firstLine.slice(0, 500);
}

/**
 * Errors Fastify's router answers before any route runs (Fastify's `frameworkErrors`), in the
 * project's shape: a malformed %-escape in the URL, a path parameter past the router's limit.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: it holds a malformed %-escape.'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'A path parameter is too long (at most 100 characters).'
        : 'The request could not be routed.';
  // The router refused the request before any hook ran: the request id header is set here.
  void reply
    .header(REQUEST_ID_HEADER, request.id)
    .status(error.code === 'FST_ERR_ASYNC_CONSTRAINT' ? 500 : 400)
    .send(errorBody(request, message));
}
