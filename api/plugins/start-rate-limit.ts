import type { FastifyInstance, preHandlerHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { TooManyRequestsError } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route starts a task (a function's start, a retry): its requests count against the account's starts a minute. */
    startsTask?: boolean;
  }
}

export interface StartRateLimitOptions {
  /** Task starts one account may make a minute (START_RATE_LIMIT_PER_MINUTE). */
  perMinute: number;
}

/**
 * Each start runs paid AI calls, so each account may make `perMinute` task starts a minute, over
 * all the routes marked `startsTask` together; beyond, 429 with Retry-After. Counted per API
 * process, after the request's body is checked (a refused body starts nothing), keyed by account.
 */
export const startRateLimitPlugin = fp(
  async (app: FastifyInstance, options: StartRateLimitOptions) => {
    await app.register(rateLimit, { global: false });
    // One limiter (one count per account) shared by every start route.
    const limit = app.rateLimit({
      max: options.perMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `account:${request.accountId}`,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequestsError(`Too many task starts: an account may make ${context.max} task starts a minute; try again in ${context.after}.`),
    }) as preHandlerHookHandler;
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.config?.startsTask) return;
      const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
      route.preHandler = [limit, ...own];
    });
  },
  { name: 'start-rate-limit' },
);
