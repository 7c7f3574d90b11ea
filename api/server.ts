import { readEnv } from '../config/env';
import { createPrismaClient } from '../db/client';
import { connectTemporalClient } from '../temporal/client';
import { buildApp } from './app';

/** The API process: listens on HOST:PORT until SIGINT/SIGTERM, then closes cleanly. */
async function main(): Promise<void> {
  const env = readEnv();
  const prisma = createPrismaClient(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE });
  const temporal = await connectTemporalClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  const app = await buildApp({
    prisma,
    temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    databaseUrl: env.DATABASE_URL,
    streamTokenSecret: env.STREAM_TOKEN_SECRET,
    corsOrigins: env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    logger: { level: env.LOG_LEVEL, redact: ['req.headers.authorization'] },
  });
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  console.log(`API listening on ${address}`);

  const close = async (signal: string) => {
    console.log(`${signal} received, closing the API`);
    await app.close();
    await temporal.connection.close();
    await prisma.$disconnect();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
