import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { autoCluster } from '../../functions/auto-cluster/definition';
import { createAccount } from '../../api/services/accounts';
import { createRunRecord, startTask } from '../../api/services/start-task';
import { configureDemoProvider, demoApi } from '../launcher/demo';
import type { BenchEnvironment } from './environment';
import { createDirectPipeline } from './direct-pipeline';
import { providerHostPolicy } from '../../activities/provider-hosts';

export const KEYWORDS_PER_TASK = 20;

/** The three ways of running one auto_cluster task; each resolves when the task is complete. */
export interface Workload {
  accountId: number;
  apiKey: string;
  /** Fresh keyword sets (20 keywords each, never clustered before), one per task. */
  keywordSets(count: number): Promise<number[][]>;
  /** Writes the run record and starts the workflow, as the API's start endpoint does; answers the task id. */
  startTemporal(ids: number[]): Promise<string>;
  runTemporal(ids: number[]): Promise<string>;
  /** Writes the run record and adds a BullMQ job; answers the task id. */
  enqueuePeer(ids: number[]): Promise<string>;
  runPeer(ids: number[]): Promise<string>;
  /** The same activities called in this process. */
  runInProcess(ids: number[]): Promise<string>;
  /** Resolves when every one of the tasks has a finished run record; throws naming any that failed. */
  waitForRecords(taskIds: string[], timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createWorkload(env: BenchEnvironment): Promise<Workload> {
  const { prisma } = env;
  const account = await createAccount(prisma, `bench-${Date.now()}`);
  await configureDemoProvider(demoApi(env.apiUrl, account.apiKey), env.provider.url);
  const request = (ids: number[]) => ({ accountId: account.accountId, ids, sectorId: account.sectorId });
  const { siteId } = await prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId }, select: { siteId: true } });

  const connection = new IORedis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(env.queueName, { connection });
  await queue.obliterate({ force: true });
  const queueEvents = new QueueEvents(env.queueName, { connection: connection.duplicate() });
  await queueEvents.waitUntilReady();
  // In this process, as in the worker: the demo provider's host is listed.
  const runDirect = createDirectPipeline({ prisma, providerHosts: providerHostPolicy([new URL(env.provider.url).host]) });
  let nextKeyword = 0;

  const newRecord = async (ids: number[]) => {
    const record = await createRunRecord(prisma, autoCluster, request(ids));
    if (!('input' in record)) throw new Error('a run record without an Idempotency-Key cannot be an earlier one');
    return record.input;
  };
  const startTemporal = (ids: number[]) => startTask({ prisma, temporal: env.temporal, taskQueue: env.taskQueue }, autoCluster, request(ids));
  const enqueue = async (ids: number[]) => {
    const input = await newRecord(ids);
    const job = await queue.add(autoCluster.name, input, { jobId: input.taskId, attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    return { taskId: input.taskId, job };
  };

  return {
    accountId: account.accountId,
    apiKey: account.apiKey,
    async keywordSets(count) {
      const first = nextKeyword;
      nextKeyword += count * KEYWORDS_PER_TASK;
      const rows = Array.from({ length: count * KEYWORDS_PER_TASK }, (_, i) => ({
        accountId: account.accountId,
        siteId,
        sectorId: account.sectorId,
        keyword: `bench keyword ${first + i} ${['running shoes', 'trail shoes', 'shoe care', 'marathon plan'][i % 4]}`,
        volume: 100 + (i % 900),
        difficulty: i % 100,
        intent: 'commercial',
      }));
      const created: Array<{ id: number }> = [];
      for (let i = 0; i < rows.length; i += 5000) {
        created.push(...(await prisma.keyword.createManyAndReturn({ data: rows.slice(i, i + 5000), select: { id: true } })));
      }
      created.sort((a, b) => a.id - b.id);
      return Array.from({ length: count }, (_, t) => created.slice(t * KEYWORDS_PER_TASK, (t + 1) * KEYWORDS_PER_TASK).map((k) => k.id));
    },
    startTemporal,
    async runTemporal(ids) {
      const taskId = await startTemporal(ids);
      await env.temporal.workflow.getHandle(taskId).result();
      return taskId;
    },
    enqueuePeer: async (ids) => (await enqueue(ids)).taskId,
    async runPeer(ids) {
      const { taskId, job } = await enqueue(ids);
      await job.waitUntilFinished(queueEvents);
      return taskId;
    },
    async runInProcess(ids) {
      const input = await newRecord(ids);
      await runDirect(autoCluster, input);
      return input.taskId;
    },
    async waitForRecords(taskIds, timeoutMs = 300_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const finished = await prisma.aITaskLog.count({ where: { taskId: { in: taskIds }, status: { not: 'pending' } } });
        if (finished === taskIds.length) break;
        if (Date.now() > deadline) throw new Error(`${taskIds.length - finished} of ${taskIds.length} tasks did not finish within ${timeoutMs / 1000} s`);
        // Coarse enough to cost next to nothing, fine enough for runs of tens of seconds.
        await new Promise((r) => setTimeout(r, 200));
      }
      const failed = await prisma.aITaskLog.findMany({ where: { taskId: { in: taskIds }, status: { not: 'success' } }, select: { taskId: true, error: true }, take: 3 });
      if (failed.length) throw new Error(`Benchmark tasks failed, e.g. ${failed.map((f) => `${f.taskId}: ${f.error}`).join('; ')}`);
    },
    async close() {
      await queueEvents.close();
      await queue.close();
      await connection.quit();
    },
  };
}
