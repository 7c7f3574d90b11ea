import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpError } from './errors';
import { isDatabaseUnavailable, isTemporalUnavailable } from './unavailable';

/** The one mapping from errors to `{ "success": false, "error": "…" }` with the right status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = describe(error, request.method);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send({ success: false, error: message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ success: false, error: `No route ${request.method} ${request.url.split('?')[0]}` }),
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
    return { status: error.statusCode, message: error.message };
  }
  void method;
  return { status: 500, message: 'Internal server error' };
}
