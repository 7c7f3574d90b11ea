import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { PrismaClient } from '../../db/client';
import { UnauthorizedError } from '../errors';
import { hashApiKey } from '../services/accounts';
import type { ApiKeyCache } from '../services/api-key-cache';

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling account, set by the auth hook on every route except those marked public. */
    accountId: number;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

/**
 * API-key authentication: `Authorization: Bearer <key>`. Keys are stored as SHA-256, found by an
 * indexed lookup and compared in constant time; a slow password hash would sink polling load, and
 * 32 random bytes need no stretching.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('accountId', 0);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const url = request.routeOptions.url;
    if (request.routeOptions.config?.public || !url || url === '/docs' || url.startsWith('/docs/')) return;
    request.accountId = await accountOfAuthorization(app.prisma, request.headers.authorization, app.apiKeys);
  });
});

/** The account whose API key the `Authorization: Bearer` header carries; 401 otherwise. */
export async function accountOfAuthorization(prisma: PrismaClient, header: string | undefined, keys?: ApiKeyCache): Promise<number> {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw new UnauthorizedError();
  const hash = hashApiKey(match[1]);
  // Found by its hash: a hit means the same hash was found in the database moments ago.
  const known = keys?.get(hash);
  if (known !== undefined) return known;
  const mark = keys?.mark();
  const account = await prisma.account.findUnique({ where: { apiKeyHash: hash }, select: { id: true, apiKeyHash: true } });
  if (!account || !timingSafeEqual(Buffer.from(account.apiKeyHash), Buffer.from(hash))) throw new UnauthorizedError();
  keys?.keep(hash, account.id, mark);
  return account.id;
}
