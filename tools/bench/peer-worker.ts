import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { findFunction } from '../../functions';
import type { RunInput } from '../../pipeline/run-io';
import { createPrismaClient, keepQueryCompilerBaseline } from '../../db/client';
import { createDirectPipeline } from './direct-pipeline';
import { providerHostPolicy } from '../../activities/provider-hosts';
import { commaList } from '../../config/env';
import { DEFAULT_SLOT_POLICY } from '../../activities/ai-call-slots';

/**
 * The benchmark's BullMQ peer: a queue worker running the same activities as the Temporal worker,
 * in its own process, as a team using a plain job queue would deploy it: the same database work per
 * task as the service (run record, credits, slots, live-progress rows), and each phase change also
 * goes to the job (BullMQ's own progress store in Redis), where a poller would read it.
 */
async function main(): Promise<void> {
  const databaseUrl = required('DATABASE_URL');
  const queueName = required('BENCH_QUEUE');
  const connection = new IORedis(required('REDIS_URL'), { maxRetriesPerRequest: null });
  // As the worker runs its database steps.
  keepQueryCompilerBaseline();
  const prisma = createPrismaClient(databaseUrl, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  // The worker's limits on AI calls in flight, from the same settings.
  const slots = { ...DEFAULT_SLOT_POLICY, accountLimit: Number(process.env.ACCOUNT_MAX_CONCURRENT_AI_CALLS ?? DEFAULT_SLOT_POLICY.accountLimit) };
  const runDirect = createDirectPipeline({ prisma, slots, providerHosts: providerHostPolicy(commaList(process.env.AI_PROVIDER_ALLOWED_HOSTS ?? '')) });
  const worker = new Worker<RunInput>(
    queueName,
    async (job) => {
      const definition = findFunction(job.data.functionName);
      if (definition?.kind !== 'pipeline') throw new Error(`Not a pipeline function: ${job.data.functionName}`);
      return runDirect(definition, job.data, (phase, percentage) => job.updateProgress({ phase, percentage }));
    },
    { connection, concurrency: Number(process.env.BENCH_PEER_CONCURRENCY ?? 50) },
  );
  await worker.waitUntilReady();
  console.log('peer ready');
  const stop = async () => {
    await worker.close();
    await connection.quit();
    await prisma.$disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
