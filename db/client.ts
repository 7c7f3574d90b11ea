/**
 * The one way the service opens its database: Prisma's generated client over node-postgres
 * (@prisma/adapter-pg), so no Prisma engine binary is needed at run time. The rest of the code
 * imports Prisma's types from here rather than from the generated folder.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export * from '../generated/prisma/client';

export type CreatePrismaClientOptions = {
  /** Most connections the pool opens (node-postgres defaults to 10). */
  max?: number;
};

export function createPrismaClient(databaseUrl: string, opts: CreatePrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, ...(opts.max ? { max: opts.max } : {}) });
  return new PrismaClient({ adapter });
}

// The run statuses the code knows (pipeline/run-status.ts) are exactly the schema's RunStatus enum.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const runStatusesMatchSchema: Same<import('../pipeline/run-status').RunStatus, import('../generated/prisma/client').RunStatus> = true;
void runStatusesMatchSchema;
