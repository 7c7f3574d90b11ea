// First: tracing's instrumentations patch the HTTP server and the PostgreSQL driver as they load.
import { tracing } from './tracing';
import { readEnv } from '../config/env';
import { createPrismaClient, openConnections } from '../db/client';
import { connectTemporalClient } from '../temporal/client';
import { buildApp } from './app';
import { checkStreamTokenSecret } from './live-progress/stream-token';
import { startTaskEventsPruning } from './live-progress/prune-task-events';

/** The API process: listens on HOST:PORT until SIGINT/SIGTERM, then closes cleanly. */
async function main(): Promise<void> {
  const env = readEnv();
  // Before connecting to anything: a production API without its secrets does not start.
  checkStreamTokenSecret(env);
  // A fixed pool, opened before the first request: polls come in bursts (a page of progress bars).
  const prisma = createPrismaClient(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, min: env.DATABASE_POOL_SIZE });
  await openConnections(prisma, env.DATABASE_POOL_SIZE);
  const temporal = await connectTemporalClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  const app = await buildApp({
    prisma,
    temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    databaseUrl: env.DATABASE_URL,
    streamTokenSecret: env.STREAM_TOKEN_SECRET,
    startRateLimitPerMinute: env.START_RATE_LIMIT_PER_MINUTE,
    defaultMaxConcurrentAiCalls: env.ACCOUNT_MAX_CONCURRENT_AI_CALLS,
    corsOrigins: env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    logger: { level: env.LOG_LEVEL, redact: ['req.headers.authorization'] },
  });
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  console.log(`API listening on ${address}`);
  const stopPruning = startTaskEventsPruning({ databaseUrl: env.DATABASE_URL, retentionMs: env.TASK_EVENTS_RETENTION, log: app.log });

  const close = async (signal: string) => {
    console.log(`${signal} received, closing the API`);
    await stopPruning();
    await app.close();
    await temporal.connection.close();
    await prisma.$disconnect();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
