import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidFieldError } from '../errors';
import { pathOfNul } from '../input/nul-text';
import { PATH_PARAM_MAX_LENGTH } from '../schemas';

/**
 * Checks every request makes before its route's own validation, whatever the route: no NUL
 * (U+0000) in any text of the body, the query string or the path — PostgreSQL refuses it in text
 * and JSON columns, which would be a 500 — and no path parameter over 100 characters. A refusal
 * is a 400 naming the field, like a validation error.
 */
export const requestDoorPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const params = (request.params ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(params)) {
        // `*` is a wildcard's rest of the path (the docs' static files), not a value the API stores.
        if (name !== '*' && typeof value === 'string' && value.length > PATH_PARAM_MAX_LENGTH) {
          throw new InvalidFieldError('params', [name], `must be at most ${PATH_PARAM_MAX_LENGTH} characters`);
        }
      }
      for (const [where, value] of [
        ['params', params],
        ['querystring', request.query],
        ['body', request.body],
      ] as const) {
        const path = pathOfNul(value);
        if (path) throw new InvalidFieldError(where, path, 'must not contain the NUL character (U+0000)');
      }
    });
  },
  { name: 'request-door' },
);
