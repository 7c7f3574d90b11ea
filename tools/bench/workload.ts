import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { PrismaClient } from '../../db/client';
import { fingerprint } from '../demo-provider/request-record';
import IORedis from 'ioredis';
import { autoCluster } from '../../functions/auto-cluster/definition';
import { createAccount } from '../../api/services/accounts';
import { createRunRecord, startTask } from '../../api/services/start-task';
import { configureDemoProvider, demoApi } from '../launcher/demo';
import type { BenchEnvironment } from './environment';
import { createDirectPipeline } from './direct-pipeline';
import { providerHostPolicy } from '../../activities/provider-hosts';
import { DEFAULT_SLOT_POLICY } from '../../activities/ai-call-slots';
import { BENCH_ACCOUNT_LIMIT } from './environment';

export const KEYWORDS_PER_TASK = 20;
/**
 * Tasks whose keywords share a sector (and so its clusters): every task finds clusters of at most
 * this many tasks' keywords, however many ran before it, on whichever path.
 */
export const TASKS_PER_SECTOR = 10;
/** Enough credits that no benchmark task is ever refused. */
const BENCH_CREDITS = 100_000_000;

/** One task's keywords (20, never clustered before) and the sector they are in. */
export interface KeywordSet {
  ids: number[];
  sectorId: number;
}

/** The three ways of running one auto_cluster task; each resolves when the task is complete. */
export interface Workload {
  accountId: number;
  apiKey: string;
  /** Fresh keyword sets, one per task, in fresh sectors of TASKS_PER_SECTOR tasks each. */
  keywordSets(count: number): Promise<KeywordSet[]>;
  /** Writes the run record and starts the workflow, as the API's start endpoint does; answers the task id. */
  startTemporal(set: KeywordSet): Promise<string>;
  runTemporal(set: KeywordSet): Promise<string>;
  /** Writes the run record and adds a BullMQ job; answers the task id. */
  enqueuePeer(set: KeywordSet): Promise<string>;
  runPeer(set: KeywordSet): Promise<string>;
  /** The same activities called in this process. */
  runInProcess(set: KeywordSet): Promise<string>;
  /** Resolves when every one of the tasks has a finished run record; throws naming any that failed. */
  waitForRecords(taskIds: string[], timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createWorkload(env: BenchEnvironment): Promise<Workload> {
  const { prisma } = env;
  const account = await createAccount(prisma, `bench-${Date.now()}`, { credits: BENCH_CREDITS });
  await configureDemoProvider(demoApi(env.apiUrl, account.apiKey), env.provider.url);
  const request = ({ ids, sectorId }: KeywordSet) => ({ accountId: account.accountId, ids, sectorId });
  const { siteId } = await prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId }, select: { siteId: true } });

  const connection = new IORedis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(env.queueName, { connection });
  await queue.obliterate({ force: true });
  const queueEvents = new QueueEvents(env.queueName, { connection: connection.duplicate() });
  await queueEvents.waitUntilReady();
  // In this process, as in the worker: the demo provider's host is listed.
  const runDirect = createDirectPipeline({
    prisma,
    providerHosts: providerHostPolicy([new URL(env.provider.url).host]),
    slots: { ...DEFAULT_SLOT_POLICY, accountLimit: BENCH_ACCOUNT_LIMIT },
  });

  const newRecord = async (set: KeywordSet) => {
    const record = await createRunRecord(prisma, autoCluster, request(set));
    if (!('input' in record)) throw new Error('a run record without an Idempotency-Key cannot be an earlier one');
    return record.input;
  };
  const startTemporal = (set: KeywordSet) => startTask({ prisma, temporal: env.temporal, taskQueue: env.taskQueue }, autoCluster, request(set));
  const enqueue = async (set: KeywordSet) => {
    const input = await newRecord(set);
    const job = await queue.add(autoCluster.name, input, { jobId: input.taskId, attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    return { taskId: input.taskId, job };
  };

  return {
    accountId: account.accountId,
    apiKey: account.apiKey,
    keywordSets: (count) => createKeywordSets(prisma, { accountId: account.accountId, siteId }, count),
    startTemporal,
    async runTemporal(set) {
      const taskId = await startTemporal(set);
      await env.temporal.workflow.getHandle(taskId).result();
      return taskId;
    },
    enqueuePeer: async (set) => (await enqueue(set)).taskId,
    async runPeer(set) {
      const { taskId, job } = await enqueue(set);
      await job.waitUntilFinished(queueEvents);
      return taskId;
    },
    async runInProcess(set) {
      const input = await newRecord(set);
      await runDirect(autoCluster, input);
      return input.taskId;
    },
    waitForRecords: (taskIds, timeoutMs) => waitForRecords(prisma, taskIds, timeoutMs),
    async close() {
      await queueEvents.close();
      await queue.close();
      await connection.quit();
    },
  };
}

let nextKeyword = 0;
let nextSector = 0;

/** `count` keyword sets of an account's site, in fresh sectors of TASKS_PER_SECTOR tasks each. */
export async function createKeywordSets(prisma: PrismaClient, owner: { accountId: number; siteId: number }, count: number): Promise<KeywordSet[]> {
  const place = { accountId: owner.accountId, siteId: owner.siteId };
  const first = nextKeyword;
  nextKeyword += count * KEYWORDS_PER_TASK;
  const sectorCount = Math.ceil(count / TASKS_PER_SECTOR);
  const sectors = await prisma.sector.createManyAndReturn({
    data: Array.from({ length: sectorCount }, () => ({ ...place, name: `bench data ${++nextSector}` })),
    select: { id: true },
  });
  sectors.sort((a, b) => a.id - b.id);
  const sectorOf = (task: number) => sectors[Math.floor(task / TASKS_PER_SECTOR)].id;
  const rows = Array.from({ length: count * KEYWORDS_PER_TASK }, (_, i) => ({
    ...place,
    sectorId: sectorOf(Math.floor(i / KEYWORDS_PER_TASK)),
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
  return Array.from({ length: count }, (_, t) => ({
    ids: created.slice(t * KEYWORDS_PER_TASK, (t + 1) * KEYWORDS_PER_TASK).map((k) => k.id),
    sectorId: sectorOf(t),
  }));
}

/** An account of a scenario's own, with its own provider key (told apart in the provider's record by its fingerprint). */
export interface BenchAccount {
  accountId: number;
  apiKey: string;
  siteId: number;
  sectorId: number;
  providerKeyFingerprint: string;
}

export async function createBenchAccount(env: BenchEnvironment, name: string, options: { maxConcurrentAiCalls?: number } = {}): Promise<BenchAccount> {
  const account = await createAccount(env.prisma, `bench-${name}-${Date.now()}`, { credits: BENCH_CREDITS, ...options });
  // Not a secret: the demo provider takes any key; its fingerprint says whose call a request is.
  const providerKey = `bench-${name}-${randomBytes(8).toString('hex')}`;
  const answer = await demoApi(env.apiUrl, account.apiKey)('PUT', '/api/v1/system/settings/integrations/openai/', {
    config: { apiKey: providerKey, model: 'gpt-4o-mini', baseUrl: `${env.provider.url}/v1`, max_tokens: 4000, temperature: 0.7 },
    is_active: true,
  });
  if (answer.status !== 200) throw new Error(`Configuring the provider of bench account ${name} failed (${answer.status})`);
  const { siteId } = await env.prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId }, select: { siteId: true } });
  return { ...account, siteId, providerKeyFingerprint: fingerprint(providerKey) };
}

/** POSTs a start endpoint through an API process; answers the task id. */
export async function startThroughApi(apiUrl: string, apiKey: string, path: string, body: unknown): Promise<string> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { task_id?: string; error?: string };
  if (response.status !== 200 || !answer.task_id) throw new Error(`${path} answered ${response.status}: ${answer.error}`);
  return answer.task_id;
}

/** Resolves when every one of the tasks has a finished run record; throws naming any that failed. */
export async function waitForRecords(prisma: PrismaClient, taskIds: string[], timeoutMs = 300_000): Promise<void> {
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
}
