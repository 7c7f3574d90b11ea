/**
 * The one way the service opens its database: Prisma's generated client over node-postgres
 * (@prisma/adapter-pg), so no Prisma engine binary is needed at run time. The rest of the code
 * imports Prisma's types from here rather than from the generated folder.
 */
import { setFlagsFromString } from 'node:v8';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client';

export * from '../generated/prisma/client';

export type CreatePrismaClientOptions = {
  /** Most connections the pool opens (node-postgres defaults to 10). */
  max?: number;
  /**
   * Connections kept open while idle (node-postgres otherwise closes each after 10 s idle). A new
   * connection costs PostgreSQL a process start: tens of milliseconds, more when many open at once,
   * which a burst of requests after a quiet spell would wait for.
   */
  min?: number;
};

export function createPrismaClient(databaseUrl: string, opts: CreatePrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, ...(opts.max ? { max: opts.max } : {}), ...(opts.min ? { min: opts.min } : {}) });
  return new PrismaClient({ adapter });
}

/**
 * Called by the worker before its first query: V8 runs the process's WebAssembly as baseline code
 * only. Prisma's query compiler is WebAssembly that plans each query shape once (the client keeps
 * the plans), and V8's optimizing tier would hold 40–60 MB more resident memory for it.
 */
export function keepQueryCompilerBaseline(): void {
  setFlagsFromString('--liftoff-only');
}

/**
 * Runs `work` in `db`'s transaction when `db` is one, else in a new transaction. (A transaction
 * client has `$transaction` too, for a nested one on a savepoint: two more statements for nothing.)
 */
export function withinTransaction<T>(db: PrismaClient | Prisma.TransactionClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return '$connect' in db ? (db as PrismaClient).$transaction(work) : work(db);
}

/**
 * Opens `count` of the pool's connections now (concurrent reads each take their own), so that the
 * process's first requests do not wait for them. With `min` at least `count`, they stay open.
 */
export async function openConnections(prisma: PrismaClient, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => prisma.$queryRaw`SELECT 1`));
}

// The run statuses the code knows (pipeline/run-status.ts) are exactly the schema's RunStatus enum.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const runStatusesMatchSchema: Same<import('../pipeline/run-status').RunStatus, import('../generated/prisma/client').RunStatus> = true;
void runStatusesMatchSchema;
